import { defineAction, type ActionContext } from '#core/action';
import type { DirectoryProject } from '#ports/user-directory';
import { findRequesterProject } from '../requester-project.ts';
import {
  DEFAULT_QUOTA_SIZE,
  MAX_AUTO_APPROVED_STEPS_UP,
  QUOTA_SIZE_NAMES,
  QUOTA_SIZES,
  type QuotaSize,
  type UpdateProjectQuotaData,
  UpdateProjectQuotaSchema,
} from './schema.ts';

type Context = ActionContext<UpdateProjectQuotaData>;

const isQuotaSize = (size: unknown): size is QuotaSize => QUOTA_SIZE_NAMES.includes(size as QuotaSize);

const limitsOf = (size: QuotaSize) => {
  const { instances, cores, ramGb } = QUOTA_SIZES[size];
  return `${size} (${instances} instances, ${cores} cores, ${ramGb} GB RAM)`;
};

/** The project's current size; one with no (or an unknown) quota counts as the default size. */
function currentSize(ctx: Context, project: DirectoryProject): QuotaSize {
  const size = project.quota?.size;
  if (isQuotaSize(size)) {
    ctx.addNote(`Project "${project.name}" has the ${size} quota.`);
    return size;
  }
  ctx.addNote(`Project "${project.name}" has no known quota size; it counts as ${DEFAULT_QUOTA_SIZE}.`);
  return DEFAULT_QUOTA_SIZE;
}

/** An invalid request is refused at once (auto-rejected with its notes), not queued for an admin. */
function refuse(ctx: Context): void {
  ctx.markValid(false);
  ctx.voteAutoApprove(true);
}

/**
 * A project admin changes their project's quota to a named size. Going down or one step up is
 * auto-approved; more than one step up, or a requester who is not project_admin of the project in
 * the directory, waits for an admin. No token: submit applies the quota.
 */
export const updateProjectQuota = defineAction({
  name: 'update-project-quota',
  description: 'Changes the quota of the requester\'s project to a named size; large steps up need an admin.',
  schema: UpdateProjectQuotaSchema,
  /** The completed email goes to the requester: the data names no one. */
  recipient: (_data, task) => task.createdBy?.email,

  async preApprove(ctx) {
    const requester = await findRequesterProject(ctx);
    if (!requester) return refuse(ctx);
    const { project } = requester;
    const from = currentSize(ctx, project);
    const to = ctx.data.size;
    ctx.persist('projectId', project.id);
    ctx.persist('projectName', project.name);
    ctx.persist('fromSize', from);
    if (from === to) {
      ctx.addNote(`Nothing to change: project "${project.name}" already has the ${to} quota.`);
      return refuse(ctx);
    }
    ctx.markValid(true);
    if (!requester.isProjectAdmin) {
      ctx.addNote(`The requester is not project_admin of "${project.name}" in the directory: an admin decides.`);
      return ctx.voteAutoApprove(false);
    }
    const steps = QUOTA_SIZE_NAMES.indexOf(to) - QUOTA_SIZE_NAMES.indexOf(from);
    if (steps > MAX_AUTO_APPROVED_STEPS_UP) {
      ctx.addNote(`${from} to ${to} is ${steps} steps up; more than ${MAX_AUTO_APPROVED_STEPS_UP} step up needs an admin.`);
      return ctx.voteAutoApprove(false);
    }
    ctx.addNote(`${from} to ${to} is ${steps < 0 ? 'going down' : 'one step up'}: no admin needed.`);
    ctx.voteAutoApprove(true);
  },

  async submit(ctx) {
    const projectId = String(ctx.stored.projectId);
    const size = ctx.data.size;
    if (!(await ctx.ports.directory.setQuota(projectId, { size, ...QUOTA_SIZES[size] }))) {
      ctx.addNote(`Project ${projectId} no longer exists.`);
      return ctx.markValid(false);
    }
    ctx.addNote(`Quota of "${String(ctx.stored.projectName)}" set to ${limitsOf(size)}.`);
  },
});
