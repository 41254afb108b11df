import { type ActionContext, defineAction, fail, pass, type ValidationStep } from '#core/action';
import type { DirectoryProject, DirectoryQuota } from '#ports/user-directory';
import { RequesterProjectStep } from '../requester-project.ts';
import {
  DEFAULT_QUOTA_SIZE,
  MAX_AUTO_APPROVED_STEPS_UP,
  QUOTA_SIZE_NAMES,
  QUOTA_SIZES,
  type QuotaSize,
  type UpdateProjectQuotaData,
  UpdateProjectQuotaSchema,
  type UpdateProjectQuotaSettings,
  UpdateProjectQuotaSettingsSchema,
  type UpdateProjectQuotaStored,
  UpdateProjectQuotaStoredSchema,
} from './schema.ts';

type Context = ActionContext<UpdateProjectQuotaData, UpdateProjectQuotaStored, UpdateProjectQuotaSettings>;

const DAY_MS = 24 * 3600 * 1000;

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

/**
 * The cool-down after the quota's last change, while it lasts at `now`: when the change was and when
 * the cool-down ends. None for a quota that does not say when it was set, with `days` 0, or once
 * more than `days` have passed (Adjutant counts a change exactly `days` ago as within them).
 */
const coolDownOf = (quota: DirectoryQuota | undefined, days: number, now: Date): { since: Date; until: Date } | undefined => {
  const since = quota?.updatedAt === undefined ? Number.NaN : Date.parse(quota.updatedAt);
  if (days === 0 || Number.isNaN(since)) return undefined;
  const until = since + days * DAY_MS;
  return now.getTime() <= until ? { since: new Date(since), until: new Date(until) } : undefined;
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
 * A project admin changes their project's quota to a named size. Going down is auto-approved, and
 * so is one step up unless the quota changed less than `coolDownDays` ago (as Adjutant's
 * UpdateProjectQuotasAction). More than one step up waits for an admin and the `largeStepLevel`
 * approval level; a requester who is not project_admin of the project in the directory, for an
 * admin. An invalid request is refused at once. No token: submit applies the quota and stamps it
 * with the time, the start of the next cool-down.
 */
export const updateProjectQuota = defineAction({
  name: 'update-project-quota',
  description: 'Changes the quota of the requester\'s project to a named size; large steps up, and steps up soon after a change, need an admin.',
  schema: UpdateProjectQuotaSchema,
  storedSchema: UpdateProjectQuotaStoredSchema,
  settingsSchema: UpdateProjectQuotaSettingsSchema,
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
      return ctx.requireApproval(`${from} to ${to} is ${steps} steps up; more than ${MAX_AUTO_APPROVED_STEPS_UP} step up needs an admin.`, { level: ctx.settings.largeStepLevel });
    }
    const { coolDownDays } = ctx.settings;
    const coolDown = steps > 0 ? coolDownOf(project.quota, coolDownDays, ctx.ports.clock.now()) : undefined;
    if (coolDown) {
      return ctx.requireApproval(
        `${from} to ${to} is one step up, but the quota of "${project.name}" last changed at ${coolDown.since.toISOString()}: ` +
          `within the ${coolDownDays}-day cool-down, which ends at ${coolDown.until.toISOString()}, an admin decides on steps up.`,
      );
    }
    ctx.waiveApproval(`${from} to ${to} is ${steps < 0 ? 'going down' : 'one step up'}: no admin needed.`);
  },

  async submit(ctx) {
    const projectId = ctx.recall('projectId');
    const size = ctx.data.size;
    const updatedAt = ctx.ports.clock.now().toISOString();
    if (!(await ctx.ports.directory.setQuota(projectId, { size, ...QUOTA_SIZES[size], updatedAt }))) return ctx.refuse(`Project ${projectId} no longer exists.`);
    ctx.addNote(`Quota of "${ctx.recall('projectName')}" set to ${limitsOf(size)}.`);
  },
});
