import type { RouteHandler } from './http-types.ts';
import { requireRole } from './auth.ts';
import { itemIdParam, parseWith } from './parse.ts';
import { AcknowledgedSchema, answer, NotificationComponent, NotificationPageSchema, StatusSchema, SweptSchema, TokenPageSchema } from './response-schemas.ts';
import { AcknowledgeBodySchema, EmptyBodySchema, ListNotificationsQuerySchema, PageQuerySchema } from './schemas.ts';
import { tokenView } from './views.ts';

const notificationIdParam = (id: string | undefined) => itemIdParam(id, `There is no notification ${id ?? ''}.`);

/** `GET /v1/status` (admin). */
export const getStatus: RouteHandler = async ({ identity, app }) => {
  requireRole(identity, 'admin');
  return answer(StatusSchema, 200, await app.core.reads.status());
};

/** `GET /v1/tokens` (admin): newest first; never the secrets themselves. */
export const listTokens: RouteHandler = async ({ query, identity, app }) => {
  requireRole(identity, 'admin');
  const { limit, cursor } = parseWith(PageQuerySchema, query, 'query');
  const page = await app.core.reads.listTokens(limit, cursor);
  return answer(TokenPageSchema, 200, { tokens: page.items.map(tokenView), ...(page.cursor ? { cursor: page.cursor } : {}) });
};

/** `DELETE /v1/tokens/expired` (admin). */
export const sweepTokens: RouteHandler = async ({ identity, body, app }) => {
  requireRole(identity, 'admin');
  parseWith(EmptyBodySchema, body);
  return answer(SweptSchema, 200, { deleted: await app.core.admin.sweepExpiredTokens() });
};

/** `GET /v1/notifications` (admin). */
export const listNotifications: RouteHandler = async ({ query, identity, app }) => {
  requireRole(identity, 'admin');
  const filters = parseWith(ListNotificationsQuerySchema, query, 'query');
  const page = await app.core.reads.listNotifications(filters);
  return answer(NotificationPageSchema, 200, { notifications: page.items, ...(page.cursor ? { cursor: page.cursor } : {}) });
};

/** `GET /v1/notifications/{id}` (admin). */
export const getNotification: RouteHandler = async ({ params, identity, app }) => {
  requireRole(identity, 'admin');
  return answer(NotificationComponent, 200, await app.core.reads.getNotification(notificationIdParam(params.id)));
};

/** `POST /v1/notifications/{id}/acknowledge` (admin). */
export const acknowledgeNotification: RouteHandler = async ({ params, identity, body, app }) => {
  const admin = requireRole(identity, 'admin');
  parseWith(EmptyBodySchema, body);
  const notification = await app.core.reads.getNotification(notificationIdParam(params.id));
  await app.core.admin.acknowledge([notification.id], { kind: 'admin', id: admin.email ?? admin.sub });
  return answer(NotificationComponent, 200, await app.core.reads.getNotification(notification.id));
};

/** `POST /v1/notifications/acknowledge` (admin): several at once; unknown ids are listed, not fatal. */
export const acknowledgeNotifications: RouteHandler = async ({ identity, body, app }) => {
  const admin = requireRole(identity, 'admin');
  const { ids } = parseWith(AcknowledgeBodySchema, body);
  return answer(AcknowledgedSchema, 200, await app.core.admin.acknowledge(ids, { kind: 'admin', id: admin.email ?? admin.sub }));
};
