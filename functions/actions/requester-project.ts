import type { ActionContext } from '#core/action';
import type { DirectoryProject, DirectoryUser } from '#ports/user-directory';

/** The requester's account and project, as the directory records them. */
export interface RequesterProject {
  readonly user: DirectoryUser;
  readonly project: DirectoryProject;
  /** Whether the directory gives the requester `project_admin` on that project. */
  readonly isProjectAdmin: boolean;
}

/**
 * A validation step shared by project-scoped actions. The bearer token says who asks (`sub`,
 * `email`, `roles`) but not for which project, so the project comes from the requester's user
 * record. Leaves a note either way; `undefined` when there is no project to act on.
 */
export async function findRequesterProject(ctx: ActionContext<unknown>): Promise<RequesterProject | undefined> {
  const { directory } = ctx.ports;
  const email = ctx.task.createdBy?.email;
  if (!email) {
    ctx.addNote('The request carries no email claim, so the requester\'s project cannot be found.');
    return undefined;
  }
  const user = await directory.findUser(email);
  if (!user) {
    ctx.addNote(`No account for the requester ${email}.`);
    return undefined;
  }
  if (user.projectId === undefined) {
    ctx.addNote(`The requester ${email} has no project.`);
    return undefined;
  }
  const project = await directory.getProject(user.projectId);
  if (!project) {
    ctx.addNote(`The requester's project ${user.projectId} does not exist.`);
    return undefined;
  }
  ctx.addNote(`The requester ${email} belongs to project "${project.name}" (${project.id}).`);
  return { user, project, isProjectAdmin: user.roles.includes('project_admin') };
}
