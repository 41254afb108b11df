/**
 * The local Cognito user pool: the npm package `cognito-local` in a child process on 127.0.0.1,
 * its data (users, groups, clients: JSON files) under `dir/.cognito`, so users survive restarts.
 * The handlers reach it through `AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER` with the real SDK client.
 *
 * What it does differently from Cognito (docs/local-mode.md): it signs every token with one key
 * shipped in the package (local use only), lets a disabled user sign in, checks no password
 * policy, and answers a wrong password with `InvalidPasswordException` rather than
 * `NotAuthorizedException`.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { waitFor } from '../ports.ts';

export interface CognitoLocal {
  /** The endpoint for `AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER`; also the tokens' issuer domain. */
  readonly endpoint: string;
  readonly child: ChildProcess;
  stop(): Promise<void>;
}

const require = createRequire(import.meta.url);

/** Starts cognito-local on `port` with its data in `dir`, and waits until it answers. */
export async function startCognitoLocal(dir: string, port: number): Promise<CognitoLocal> {
  mkdirSync(dir, { recursive: true });
  const data = join(dir, '.cognito');
  removeInterruptedWrites(data);
  const output: string[] = [];
  // Its writes made atomic (atomic-writes.cjs): a kill -9 mid-write must not leave the pool unreadable.
  const child = spawn(process.execPath, ['--require', require.resolve('./atomic-writes.cjs'), require.resolve('cognito-local/lib/bin/start.js')], {
    cwd: dir,
    env: { ...process.env, NODE_OPTIONS: '', ASSENT_COGNITO_DATA: data, PORT: String(port), HOST: '127.0.0.1', AWS_SDK_JS_SUPPRESS_MAINTENANCE_MODE_MESSAGE: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  // Kept for a failure message only: every refused call logs a stack trace.
  const keep = (chunk: Buffer) => output.push(String(chunk)) > 200 && output.shift();
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const endpoint = `http://127.0.0.1:${port}`;
  const stop = () =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    });
  try {
    await waitFor(`cognito-local on ${endpoint}`, async () => {
      if (child.exitCode !== null) throw new Error(`cognito-local exited (${child.exitCode}): ${output.join('').slice(-2000)}`);
      const response = await fetch(`${endpoint}/local/.well-known/jwks.json`);
      if (!response.ok) throw new Error(`cognito-local answered ${response.status}`);
    });
  } catch (error) {
    await stop();
    throw error;
  }
  return { endpoint, child, stop };
}

/** Temp files of writes a kill cut short (atomic-writes.cjs): the file they were for is whole. */
function removeInterruptedWrites(dir: string): void {
  let entries: string[];
  try {
    entries = readdirSync(dir, { recursive: true }) as string[];
  } catch {
    return;
  }
  for (const entry of entries.filter((name) => name.endsWith('.tmp'))) rmSync(join(dir, entry), { force: true });
}
