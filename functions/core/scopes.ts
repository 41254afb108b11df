import type { Page, TaskQuery, TaskScopePart } from '#ports/task-store';
import { NOT_OF_PROJECT } from './committer.ts';
import type { Context } from './context.ts';
import { ForbiddenError, UnauthorizedError } from './errors.ts';
import { type Actor, type Identity, isAdmin } from './identity.ts';
import type { Task } from './task.ts';

/**
 * What a signed-in caller may see and do, by role. Admins: every task. Everyone else: their own
 * tasks (by `createdBy.sub`) and, with the role `project_admin`, every task of their project (by
 * `projectId`). The project comes from the directory by the caller's `sub` (ID and access tokens
 * both carry it), never from the token: groups are pool-wide, projects are Assent's.
 */
export type Standing =
  | { readonly admin: true }
  | {
      readonly admin: false;
      readonly sub: string;
      /** The caller's project, if they have one. */
      readonly project?: string;
      /** Whether they are its admin (the role `project_admin`). */
      readonly administers: boolean;
    };

const PROJECT_ADMIN = 'project_admin';

export async function standingOf(ctx: Context, identity: Identity | undefined): Promise<Standing> {
  if (!identity) throw new UnauthorizedError('This needs a bearer token.');
  if (isAdmin(identity)) return { admin: true };
  const project = await ctx.deps.ports.directory.projectOfAccount(identity.sub);
  return { admin: false, sub: identity.sub, ...(project === undefined ? {} : { project }), administers: project !== undefined && identity.roles.includes(PROJECT_ADMIN) };
}

/**
 * The parts of the task store a caller who is not an admin lists: their own tasks of no project,
 * and of their project every task (its admin) or their own (a member). A task keeps the project
 * it was given, and a user keeps the project they joined (the directory keeps one per user and
 * moves nobody), so a caller's own tasks of a project are in their project.
 */
export function scopeOf(standing: Extract<Standing, { admin: false }>): TaskScopePart[] {
  const { sub, project, administers } = standing;
  if (project === undefined) return [{ requester: sub }];
  return [{ requester: sub }, administers ? { project } : { project, requester: sub }];
}

/** Whether a caller who is not an admin may read `task`: theirs, or of the project they administer. */
export function covers(standing: Extract<Standing, { admin: false }>, task: Task): boolean {
  return task.createdBy?.sub === standing.sub || (standing.administers && task.projectId !== undefined && task.projectId === standing.project);
}

/**
 * `GET /v1/tasks` by role: admins list every task with every filter; anyone else lists their scope
 * (`scopeOf`), with the same filters within it. `asAdmin`: which view of the tasks they get.
 */
export async function listTasksFor(ctx: Context, identity: Identity | undefined, query: Omit<TaskQuery, 'scope'>): Promise<{ page: Page<Task>; asAdmin: boolean }> {
  const standing = await standingOf(ctx, identity);
  if (standing.admin) return { page: await ctx.deps.tasks.list(query), asAdmin: true };
  return { page: await ctx.deps.tasks.list({ ...query, scope: scopeOf(standing) }), asAdmin: false };
}

/** Who does a project-scoped operation (cancel, token reissue), and on which project's tasks it may. */
export interface Operator {
  readonly actor: Actor;
  /** A project admin's project: the operation's write requires the task to be of it (403 otherwise). Absent for admins. */
  readonly projectId?: string;
}

/**
 * An admin operates on any task, as `{ kind: 'admin' }`; a project admin on the tasks of their
 * project, as `{ kind: 'project_admin' }` (the history says in which capacity they acted); anyone
 * else is refused (403) before the task is read.
 */
export async function operatorOf(ctx: Context, identity: Identity | undefined): Promise<Operator> {
  if (!identity) throw new UnauthorizedError('This needs a bearer token.');
  const id = identity.email ?? identity.sub;
  if (isAdmin(identity)) return { actor: { kind: 'admin', id } };
  if (!identity.roles.includes(PROJECT_ADMIN)) throw new ForbiddenError(NOT_OF_PROJECT);
  const projectId = await ctx.deps.ports.directory.projectOfAccount(identity.sub);
  if (projectId === undefined) throw new ForbiddenError(NOT_OF_PROJECT);
  return { actor: { kind: 'project_admin', id }, projectId };
}
