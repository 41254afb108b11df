import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CognitoIdentityProviderClient, InitiateAuthCommand } from '@aws-sdk/client-cognito-identity-provider';
import { DescribeExecutionCommand, GetExecutionHistoryCommand, type HistoryEvent, SFNClient } from '@aws-sdk/client-sfn';
import { type LocalPoolEndpoints, signLocalToken } from '#local/cognito/tokens';

export interface Endpoints {
  readonly api: string;
  readonly mailbox: string;
  readonly adminToken: string;
  readonly services: {
    dynamodb: string;
    sfn: string;
    ses: string;
    events: string;
    s3: string;
    cognito: string;
    tableName: string;
    stateMachineArn: string;
    eventBusName: string;
    archiveBucket: string;
  };
  /** The local user pool (cognito-local). */
  readonly cognito: LocalPoolEndpoints;
  /** The seeded local accounts. */
  readonly users: readonly SeededAccount[];
  /** The environment the stack's handlers run with (local/start.ts), for calling one in another process. */
  readonly handlerEnvironment: Readonly<Record<string, string>>;
}

/** A seeded local account (local/cognito/seed.ts): its address, password, groups and `sub`. */
export interface SeededAccount {
  readonly email: string;
  readonly password: string;
  readonly groups: string[];
  readonly sub: string;
}

/** The seeded account at `email` (`admin@assent.local`, `approver@assent.local`, ...), as a core Identity and as an account. */
export function seededUser(email: string): SeededAccount & { identity: { sub: string; email: string; roles: string[] } } {
  const user = endpoints().users.find((known) => known.email === email);
  if (!user) throw new Error(`No seeded local account ${email}: see local/cognito/seed.ts.`);
  return { ...user, identity: { sub: user.sub, email: user.email, roles: user.groups } };
}

/** The endpoints of the local stack started by globalSetup. */
export function endpoints(): Endpoints {
  const home = process.env.ASSENT_TEST_HOME;
  if (!home) throw new Error('ASSENT_TEST_HOME is not set: run this test through the "stack" jest project.');
  return JSON.parse(readFileSync(join(home, 'endpoints.json'), 'utf8'));
}

/**
 * A bearer JWT for any identity, as the local pool signs them: an ID token (it carries the address)
 * when `email` is given, else an access token; `roles` are its `cognito:groups`. E.g.
 * `tokenFor({ sub: 'u1', email: 'ann@example.com', roles: ['project_admin'] })`.
 */
export async function tokenFor(claims: { sub: string; email?: string; roles: string[] }): Promise<string> {
  const user = { sub: claims.sub, groups: claims.roles, ...(claims.email === undefined ? {} : { email: claims.email }) };
  return signLocalToken(endpoints().cognito, user, claims.email === undefined ? 'access' : 'id');
}

/** Signs in to the local pool with a password, as a console does (USER_PASSWORD_AUTH): the ID token, which carries the address. */
export async function signIn(email: string, password: string): Promise<string> {
  const { cognito } = endpoints();
  const client = new CognitoIdentityProviderClient({ endpoint: cognito.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  try {
    const { AuthenticationResult } = await client.send(
      new InitiateAuthCommand({ ClientId: cognito.clientId, AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME: email, PASSWORD: password } }),
    );
    return AuthenticationResult?.IdToken ?? '';
  } finally {
    client.destroy();
  }
}

export interface ApiResponse {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
  readonly json: any;
}

/** One HTTP call to the local API, answering status, headers and the parsed body. */
export async function api(path: string, init: RequestInit & { json?: unknown; admin?: boolean } = {}): Promise<ApiResponse> {
  const { json, admin, headers, ...rest } = init;
  const response = await fetch(`${endpoints().api}${path}`, {
    ...rest,
    headers: {
      ...(json === undefined ? {} : { 'content-type': 'application/json' }),
      ...(admin ? { authorization: `Bearer ${endpoints().adminToken}` } : {}),
      ...(headers as Record<string, string> | undefined),
    },
    ...(json === undefined ? {} : { body: JSON.stringify(json) }),
  });
  const text = await response.text();
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  return { status: response.status, headers: response.headers, text, json: parsed };
}

export interface MailboxEmail {
  readonly messageId: string;
  readonly from: string;
  readonly destination: { to: string[] };
  readonly subject: string;
  readonly body: { text?: string; html?: string };
  readonly at: number;
}

/** Waits for an email in the SES emulator's mailbox that matches `predicate`. */
export async function waitForEmail(predicate: (email: MailboxEmail) => boolean, timeoutMs = 30_000): Promise<MailboxEmail> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { emails } = (await (await fetch(`${endpoints().mailbox}/store`)).json()) as { emails: MailboxEmail[] };
    const found = emails.find(predicate);
    if (found) return found;
    if (Date.now() > deadline) throw new Error(`No matching email within ${timeoutMs} ms; mailbox has: ${emails.map((e) => `${e.destination.to} "${e.subject}"`).join(', ')}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

export async function mailboxFor(address: string): Promise<MailboxEmail[]> {
  const { emails } = (await (await fetch(`${endpoints().mailbox}/store`)).json()) as { emails: MailboxEmail[] };
  return emails.filter((email) => email.destination.to.includes(address));
}

/** The first API link in an email's text: `/v1/approvals/...` or `/v1/tokens/...`, as a path. */
export function linkIn(email: MailboxEmail, kind: 'approvals' | 'tokens'): string {
  const match = new RegExp(`https?://[^\\s]+(/v1/${kind}/[A-Za-z0-9_-]+)`).exec(email.body.text ?? '');
  if (!match?.[1]) throw new Error(`No ${kind} link in email "${email.subject}":\n${email.body.text}`);
  return match[1];
}

/** Polls the task (as admin) until `predicate` holds. */
export async function waitForTask(id: string, predicate: (task: any) => boolean, timeoutMs = 30_000): Promise<any> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { json } = await api(`/v1/tasks/${id}`, { admin: true });
    if (predicate(json)) return json;
    if (Date.now() > deadline) throw new Error(`Task ${id} did not reach the expected state: ${JSON.stringify(json)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** A unique suffix for test data, so tests sharing one stack never collide. */
export const unique = () => `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;

/** Every email in the SES emulator's mailbox, oldest first. */
export async function mailbox(): Promise<MailboxEmail[]> {
  const { emails } = (await (await fetch(`${endpoints().mailbox}/store`)).json()) as { emails: MailboxEmail[] };
  return emails;
}

/** The one-time secrets (43 base64url characters) of every approval and token link in `emails`. */
export function secretsIn(emails: readonly MailboxEmail[]): string[] {
  return emails.flatMap((email) => [...(email.body.text ?? '').matchAll(/\/v1\/(?:approvals|tokens)\/([A-Za-z0-9_-]{43})\b/g)].map((match) => match[1] ?? ''));
}

/** The states an execution entered (its transitions) and the Lambda invocations it scheduled, from its whole history. */
export async function historyCost(sfn: SFNClient, executionArn: string): Promise<{ states: string[]; invocations: number }> {
  const events: HistoryEvent[] = [];
  let nextToken: string | undefined;
  do {
    const page = await sfn.send(new GetExecutionHistoryCommand({ executionArn, maxResults: 1000, ...(nextToken ? { nextToken } : {}) }));
    events.push(...(page.events ?? []));
    nextToken = page.nextToken;
  } while (nextToken);
  return {
    states: events.filter((event) => event.type?.endsWith('StateEntered')).map((event) => event.stateEnteredEventDetails?.name ?? '?'),
    invocations: events.filter((event) => event.type === 'TaskScheduled').length,
  };
}

/**
 * What a task's execution cost on the local stack's runner: the states it entered, in order (its
 * state transitions, what Standard workflows bill) and the Lambda invocations it scheduled. With
 * `ended`, waits for the execution to end first.
 */
export async function executionCost(executionArn: string, { ended = false }: { ended?: boolean } = {}): Promise<{ states: string[]; invocations: number }> {
  const sfn = new SFNClient({ endpoint: endpoints().services.sfn, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  try {
    const deadline = Date.now() + 30_000;
    while (ended && (await sfn.send(new DescribeExecutionCommand({ executionArn }))).status === 'RUNNING') {
      if (Date.now() > deadline) throw new Error(`Execution ${executionArn} still runs`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    return await historyCost(sfn, executionArn);
  } finally {
    sfn.destroy();
  }
}
