import type { MailboxEmail } from '../test/support/stack.ts';

/**
 * One poller of the SES emulator's mailbox for the whole benchmark. Asking `/store` once per waiting
 * task would make the mailbox, which runs in the stack's process, the bottleneck being measured; here
 * one loop asks for the emails of the last second or so (`?since=`) and hands them to waiters by
 * recipient.
 */
export type Email = MailboxEmail;

interface Waiter {
  readonly match: (email: Email) => boolean;
  readonly resolve: (email: Email) => void;
  readonly reject: (error: Error) => void;
  readonly timer: NodeJS.Timeout;
}

export class Mailbox {
  private readonly byRecipient = new Map<string, Email[]>();
  private readonly waiters = new Map<string, Set<Waiter>>();
  private seen = new Set<string>();
  private since = 0;
  private running = false;
  private loop: Promise<void> | undefined;
  /** Emails seen since the last `clear()`. */
  received = 0;

  constructor(
    private readonly url: string,
    private readonly intervalMs = 100,
  ) {}

  start(): void {
    this.running = true;
    this.loop = this.run();
  }

  stop(): void {
    this.running = false;
    for (const set of this.waiters.values()) for (const waiter of set) clearTimeout(waiter.timer);
    this.waiters.clear();
  }

  /** Empties the emulator's store and everything seen (between benchmark phases, when nothing is in flight). */
  async clear(): Promise<void> {
    await this.poll();
    await fetch(`${this.url}/clear-store`, { method: 'POST' });
    this.byRecipient.clear();
    this.seen = new Set();
    this.since = 0;
    this.received = 0;
  }

  /** The first email to `to` matching `match` (already received or still to come). */
  waitFor(to: string, match: (email: Email) => boolean, timeoutMs = 60_000): Promise<Email> {
    const found = this.byRecipient.get(to)?.find(match);
    if (found) return Promise.resolve(found);
    return new Promise<Email>((resolve, reject) => {
      const set = this.waiters.get(to) ?? new Set<Waiter>();
      this.waiters.set(to, set);
      const waiter: Waiter = {
        match,
        resolve,
        reject,
        timer: setTimeout(() => {
          set.delete(waiter);
          reject(new Error(`No email to ${to} matching ${match.toString()} within ${timeoutMs} ms`));
        }, timeoutMs),
      };
      set.add(waiter);
    });
  }

  /** Fetches what arrived since the last poll and wakes the waiters it satisfies. */
  async poll(): Promise<void> {
    const response = await fetch(`${this.url}/store?since=${this.since}`);
    const { emails } = (await response.json()) as { emails: Email[] };
    for (const email of emails) {
      if (this.seen.has(email.messageId)) continue;
      this.seen.add(email.messageId);
      this.received += 1;
      this.since = Math.max(this.since, email.at);
      for (const to of email.destination.to) {
        const list = this.byRecipient.get(to) ?? [];
        list.push(email);
        this.byRecipient.set(to, list);
        for (const waiter of this.waiters.get(to) ?? []) {
          if (!waiter.match(email)) continue;
          clearTimeout(waiter.timer);
          this.waiters.get(to)?.delete(waiter);
          waiter.resolve(email);
        }
      }
    }
  }

  private async run(): Promise<void> {
    while (this.running) {
      try {
        await this.poll();
      } catch {
        // The stack may be stopping; the next poll tries again.
      }
      await new Promise((resolve) => setTimeout(resolve, this.intervalMs));
    }
  }
}
