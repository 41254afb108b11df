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
import { mkdirSync } from 'node:fs';
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
  const output: string[] = [];
  const child = spawn(process.execPath, [require.resolve('cognito-local/lib/bin/start.js')], {
    cwd: dir,
    env: { ...process.env, NODE_OPTIONS: '', PORT: String(port), HOST: '127.0.0.1', AWS_SDK_JS_SUPPRESS_MAINTENANCE_MODE_MESSAGE: '1' },
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
