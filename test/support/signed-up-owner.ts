import { expect } from '@jest/globals';
import { localDirectory } from './local-directory.ts';
import { api, endpoints, linkIn, signIn, unique, waitForEmail } from './stack.ts';

/** A project owner as people become one: a sign-up, approved, a password set, signed in with it (an ID token). */
export interface SignedUpOwner {
  readonly email: string;
  readonly projectName: string;
  readonly projectId: string;
  /** The sign-up that made the project (and them its admin). */
  readonly signUpId: string;
  readonly jwt: string;
}

export const OWNER_PASSWORD = 'owner password here';

/** Signs `name`-<unique> up through the local stack, approves it as admin, sets the password and signs in. */
export async function signedUpOwner(name: string): Promise<SignedUpOwner> {
  const suffix = unique();
  const email = `${name}-${suffix}@example.com`;
  const projectName = `${name}-${suffix}`;
  const created = await api('/v1/tasks', { method: 'POST', json: { type: 'sign-up', data: { email, projectName } } });
  await waitForEmail((mail) => mail.subject === `Approval needed: sign-up ${created.json.id}`);
  expect((await api(`/v1/tasks/${created.json.id}/approve`, { method: 'POST', admin: true })).status).toBe(200);
  const tokenEmail = await waitForEmail((mail) => mail.destination.to.includes(email) && mail.subject === `Choose your password for ${projectName}`);
  expect((await api(linkIn(tokenEmail, 'tokens'), { method: 'POST', json: { password: OWNER_PASSWORD } })).json).toStrictEqual({ id: created.json.id, status: 'completed' });
  const projectId = (await localDirectory(endpoints()).findUser(email))?.projectId ?? '';
  return { email, projectName, projectId, signUpId: created.json.id, jwt: await signIn(email, OWNER_PASSWORD) };
}
