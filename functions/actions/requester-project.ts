import { type ActionContext, ActionContractError, fail, pass, type StepOutcome, type ValidationStep } from '#core/action';
import type { DirectoryProject, DirectoryUser } from '#ports/user-directory';

/** The requester's account and project, as the directory records them. */
export interface RequesterProject {
  readonly user: DirectoryUser;
  readonly project: DirectoryProject;
  /** Whether the directory gives the requester `project_admin` on that project. */
  readonly isProjectAdmin: boolean;
}

/**
 * The validation step `requester-project`, shared by project-scoped actions. The bearer token says
 * who asks (`sub`, `email`, `roles`) but not for which project, so the project comes from the
 * requester's user record: the account whose immutable id is the token's `sub` (right after an
 * address change too), else the one at its `email` (a token of another issuer than the pool, whose
 * `sub` the directory does not know). Once it passed, `found` is what it found, for the steps after it, and
 * the task belongs to that project (`ctx.setProject`): the project's admins may list it, cancel it
 * and reissue its token.
 */
export class RequesterProjectStep implements ValidationStep {
  readonly name = 'requester-project';
  private requester: RequesterProject | undefined;

  async run(ctx: ActionContext<unknown>): Promise<StepOutcome> {
    const { directory } = ctx.ports;
    const { sub, email: claimed } = ctx.task.createdBy ?? {};
    const bySub = sub ? await directory.findAccount(sub) : undefined;
    if (!bySub && !claimed) return fail('The request carries no email claim, so the requester\'s project cannot be found.');
    const user = bySub ?? (claimed ? await directory.findUser(claimed) : undefined);
    if (!user) return fail(`No account for the requester ${claimed}.`);
    const email = user.email;
    if (user.projectId === undefined) return fail(`The requester ${email} has no project.`);
    const project = await directory.getProject(user.projectId);
    if (!project) return fail(`The requester's project ${user.projectId} does not exist.`);
    this.requester = { user, project, isProjectAdmin: user.roles.includes('project_admin') };
    ctx.setProject(project.id);
    return pass(`The requester ${email} belongs to project "${project.name}" (${project.id}).`);
  }

  /** What the step found; reading it before the step passed is a bug in the step order. */
  get found(): RequesterProject {
    if (!this.requester) throw new ActionContractError('The requester-project step has not passed: run it before the steps that need the project.');
    return this.requester;
  }
}
