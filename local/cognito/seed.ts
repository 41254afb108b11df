/**
 * The local accounts of DESIGN §6, created in the local pool through the app's own directory adapter
 * (so they are exactly what sign-up and invite-user make): an admin, three approvers in group
 * `security`, a project admin with a project, and a member of it. Idempotent: a restart keeps them
 * (and any password changed since). Their passwords are local-only and written to endpoints.json.
 */
import type { CognitoUserDirectory } from '../../functions/adapters/cognito/user-directory.ts';

export interface SeededUser {
  readonly email: string;
  readonly password: string;
  readonly groups: readonly string[];
  /** The account's id in the pool: the `sub` of its tokens. */
  readonly sub: string;
}

/** The seeded project (`demo`), which the project admin and the member belong to. */
export const DEMO_PROJECT = { id: 'demo', name: 'demo' } as const;

const SEEDS: readonly { email: string; groups: readonly string[]; project?: true }[] = [
  { email: 'admin@assent.local', groups: ['admin'] },
  { email: 'approver@assent.local', groups: ['security'] },
  { email: 'approver2@assent.local', groups: ['security'] },
  { email: 'approver3@assent.local', groups: ['security'] },
  { email: 'owner@assent.local', groups: ['project_admin', 'member'], project: true },
  { email: 'member@assent.local', groups: ['member'], project: true },
];

/** `<name>-password` (12 characters or more, as the pool's policy asks). */
const passwordOf = (email: string) => `${email.split('@')[0]}-local-password`;

/** Creates what is missing; answers every seeded account with its password and `sub`. */
export async function seedLocalUsers(directory: CognitoUserDirectory, subOf: (email: string) => Promise<string>, at = new Date().toISOString()): Promise<SeededUser[]> {
  await directory.createProject({ ...DEMO_PROJECT, createdAt: at });
  const seeded: SeededUser[] = [];
  for (const seed of SEEDS) {
    const password = passwordOf(seed.email);
    if (await directory.createUser({ email: seed.email, roles: seed.groups, enabled: true, createdAt: at, ...(seed.project ? { projectId: DEMO_PROJECT.id } : {}) })) {
      await directory.activateUser(seed.email, password);
    }
    seeded.push({ email: seed.email, password, groups: seed.groups, sub: await subOf(seed.email) });
  }
  return seeded;
}
