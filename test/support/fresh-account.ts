import { localDirectory } from './local-directory.ts';
import { endpoints, signIn, unique } from './stack.ts';

/** An account made for one test, signed in: its address, its `sub` (its ID token's), the token and password. */
export interface FreshAccount {
  readonly email: string;
  readonly sub: string;
  readonly jwt: string;
  readonly password: string;
}

const FRESH_PASSWORD = 'fresh account password';

/** The `sub` claim of a JWT (its payload is not verified here: the token is the pool's own). */
export const subOf = (jwt: string): string => (JSON.parse(Buffer.from(jwt.split('.')[1] ?? '', 'base64url').toString('utf8')) as { sub: string }).sub;

/**
 * Creates `name`-<unique>@example.com in the local stack's pool through the app's directory adapter
 * (as the seeded accounts are made: created, then a password set and enabled), in `roles` (pool
 * groups) and on `projectId` when given, and signs it in with its password.
 */
export async function freshAccount(name: string, { roles, projectId }: { roles: readonly string[]; projectId?: string }): Promise<FreshAccount> {
  const directory = localDirectory(endpoints());
  const email = `${name}-${unique()}@example.com`;
  const created = await directory.createUser({ email, roles, enabled: true, createdAt: new Date().toISOString(), ...(projectId === undefined ? {} : { projectId }) });
  if (!created) throw new Error(`The local pool has an account ${email} already.`);
  await directory.activateUser(email, FRESH_PASSWORD);
  const jwt = await signIn(email, FRESH_PASSWORD);
  return { email, sub: subOf(jwt), jwt, password: FRESH_PASSWORD };
}
