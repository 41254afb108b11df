import { type ActionContext, defineAction, fail, pass, type ValidationStep } from '#core/action';
import type { DirectoryProject } from '#ports/user-directory';
import { RequesterProjectStep } from '../requester-project.ts';
import {
  DEFAULT_QUOTA_SIZE,
  MAX_AUTO_APPROVED_STEPS_UP,
  QUOTA_SIZE_NAMES,
  QUOTA_SIZES,
  type QuotaSize,
  type UpdateProjectQuotaData,
  UpdateProjectQuotaSchema,
  type UpdateProjectQuotaStored,
  UpdateProjectQuotaStoredSchema,
} from './schema.ts';

type Context = ActionContext<UpdateProjectQuotaData, UpdateProjectQuotaStored>;

const isQuotaSize = (size: unknown): size is QuotaSize => QUOTA_SIZE_NAMES.includes(size as QuotaSize);

const limitsOf = (size: QuotaSize) => {
  const { instances, cores, ramGb } = QUOTA_SIZES[size];
  return `${size} (${instances} instances, ${cores} cores, ${ramGb} GB RAM)`;
};

/** The project's current size; one with no (or an unknown) quota counts as the default size. */
const sizeOf = (project: DirectoryProject): QuotaSize => {
  const size = project.quota?.size;
  return isQuotaSize(size) ? size : DEFAULT_QUOTA_SIZE;
};

/** Validation step: the requested size is not the project's current one (which it notes). */
const sizeChanges = (requester: RequesterProjectStep): ValidationStep<Context> => ({
  name: 'size-changes',
  async run(ctx) {
    const { project } = requester.found;
    if (ctx.data.size === sizeOf(project)) return fail(`Nothing to change: project "${project.name}" already has the ${ctx.data.size} quota.`);
    return pass(
      isQuotaSize(project.quota?.size)
        ? `Project "${project.name}" has the ${project.quota.size} quota.`
        : `Project "${project.name}" has no known quota size; it counts as ${DEFAULT_QUOTA_SIZE}.`,
    );
  },
});

/**
 * A project admin changes their project's quota to a named size. Going down or one step up is
 * auto-approved; more than one step up, or a requester who is not project_admin of the project in
 * the directory, waits for an admin. An invalid request is refused at once. No token: submit
 * applies the quota.
 */
export const updateProjectQuota = defineAction({
  name: 'update-project-quota',
  description: 'Changes the quota of the requester\'s project to a named size; large steps up need an admin.',
  schema: UpdateProjectQuotaSchema,
  storedSchema: UpdateProjectQuotaStoredSchema,
  /** The completed email goes to the requester: the data names no one. */
  recipient: (_data, task) => task.createdBy?.email,

  async preApprove(ctx) {
    const requester = new RequesterProjectStep();
    if (!(await ctx.validate([requester, sizeChanges(requester)], { onFailure: 'refuse' }))) return;
    const { project, isProjectAdmin } = requester.found;
    const from = sizeOf(project);
    const to = ctx.data.size;
    ctx.persist('projectId', project.id);
    ctx.persist('projectName', project.name);
    ctx.persist('fromSize', from);
    if (!isProjectAdmin) return ctx.requireApproval(`The requester is not project_admin of "${project.name}" in the directory: an admin decides.`);
    const steps = QUOTA_SIZE_NAMES.indexOf(to) - QUOTA_SIZE_NAMES.indexOf(from);
    if (steps > MAX_AUTO_APPROVED_STEPS_UP) {
      return ctx.requireApproval(`${from} to ${to} is ${steps} steps up; more than ${MAX_AUTO_APPROVED_STEPS_UP} step up needs an admin.`);
    }
    ctx.waiveApproval(`${from} to ${to} is ${steps < 0 ? 'going down' : 'one step up'}: no admin needed.`);
  },

  async submit(ctx) {
    const projectId = ctx.recall('projectId');
    const size = ctx.data.size;
    if (!(await ctx.ports.directory.setQuota(projectId, { size, ...QUOTA_SIZES[size] }))) return ctx.refuse(`Project ${projectId} no longer exists.`);
    ctx.addNote(`Quota of "${ctx.recall('projectName')}" set to ${limitsOf(size)}.`);
  },
});
