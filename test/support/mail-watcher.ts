import type { MailboxEmail } from './stack.ts';

/**
 * One reader of the SES emulator's mailbox (`GET /store`) for many flows at once: it polls the store
 * every `intervalMs` and keeps the last list it read, so a hundred flows waiting for their emails
 * cost one request a poll instead of a hundred. A poll that fails (the stack is down, restarting
 * or paused) keeps the last list and tries again at the next tick.
 */
export class MailWatcher {
  private latest: readonly MailboxEmail[] = [];
  private timer: NodeJS.Timeout | undefined;
  private polling = false;
  private readonly url: string;

  constructor(
    mailboxUrl: string,
    private readonly intervalMs = 1_000,
  ) {
    this.url = `${mailboxUrl}/store`;
  }

  start(): void {
    this.timer ??= setInterval(() => void this.poll(), this.intervalMs);
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Every email of the last successful poll, oldest first. */
  emails(): readonly MailboxEmail[] {
    return this.latest;
  }

  /** Reads the store now (and keeps what it read); throws when the mailbox does not answer. */
  async read(): Promise<readonly MailboxEmail[]> {
    const response = await fetch(this.url, { signal: AbortSignal.timeout(30_000) });
    if (!response.ok) throw new Error(`GET ${this.url} answered ${response.status}`);
    this.latest = ((await response.json()) as { emails: MailboxEmail[] }).emails;
    return this.latest;
  }

  private async poll(): Promise<void> {
    if (this.polling) return;
    this.polling = true;
    try {
      await this.read();
    } catch {
      // Down for now: the next tick tries again.
    } finally {
      this.polling = false;
    }
  }
}
