import { createHash } from 'node:crypto';
import type { Context } from './context.ts';
import { TooManyRequestsError } from './errors.ts';
import type { RateLimit, TaskType } from './task-type.ts';

/** Who sent a request, as far as the limits care: its IP address. */
export interface Client {
  readonly ip?: string;
}

const digest = (value: string) => createHash('sha256').update(value).digest('base64url');

const durationOf = (seconds: number) => (seconds % 3600 === 0 ? `${seconds / 3600} h` : seconds % 60 === 0 ? `${seconds / 60} min` : `${seconds} s`);

/**
 * Counts a create against its task type's limits (`limits`, with the deployment's `taskTypes.<name>.limits` applied), per
 * address (hashed: no address is stored) and per client, before anything is stored; a request over
 * either is refused with 429 and how long to wait. The same work for every request, so neither the
 * answer nor its timing says whether an account exists.
 */
export async function enforceLimits(ctx: Context, taskType: TaskType, address: string | undefined, client: Client): Promise<void> {
  const store = ctx.deps.rateLimits;
  if (!store) return;
  const limits = taskType.limits;
  const checks: { key: string; limit: RateLimit; what: string }[] = [];
  if (limits.perClient && client.ip) checks.push({ key: `${taskType.name}#client#${digest(client.ip)}`, limit: limits.perClient, what: 'from this client' });
  if (limits.perAddress && address) checks.push({ key: `${taskType.name}#address#${digest(address.toLowerCase())}`, limit: limits.perAddress, what: 'for this address' });
  const at = ctx.now();
  const hits = await Promise.all(checks.map((check) => store.hit(check.key, check.limit.windowSeconds, at)));
  checks.forEach(({ limit, what }, index) => {
    const hit = hits[index];
    if (!hit || hit.count <= limit.max) return;
    const retryAfter = Math.max(1, Math.ceil((Date.parse(hit.resetsAt) - Date.parse(at)) / 1000));
    throw new TooManyRequestsError(
      `Too many ${taskType.name} requests ${what}: at most ${limit.max} per ${durationOf(limit.windowSeconds)}. Try again in ${retryAfter} seconds.`,
      retryAfter,
    );
  });
}
