import type { Context } from './context.ts';
import { NotFoundError } from './errors.ts';
import type { Actor } from './identity.ts';
import type { Notification } from './notification.ts';

export const listNotifications = (ctx: Context, query: { acknowledged?: boolean; limit: number; cursor?: string }) => ctx.deps.notifications.list(query);

export async function getNotification(ctx: Context, id: string): Promise<Notification> {
  const notification = await ctx.deps.notifications.get(id);
  if (!notification) throw new NotFoundError(`There is no notification ${id}.`);
  return notification;
}

/** Acknowledges notifications; unknown ids are reported back, already acknowledged ones left as they were. */
export async function acknowledge(ctx: Context, ids: readonly string[], by: Actor): Promise<{ acknowledged: string[]; unknown: string[] }> {
  const acknowledged: string[] = [];
  const unknown: string[] = [];
  const at = ctx.now();
  for (const id of ids) {
    if (await ctx.deps.notifications.acknowledge(id, by.id, at)) acknowledged.push(id);
    else unknown.push(id);
  }
  return { acknowledged, unknown };
}
