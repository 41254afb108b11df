import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Endpoints } from './stack.ts';

export interface RunningStack {
  readonly child: ChildProcess;
  readonly home: string;
  readonly output: string[];
  readonly endpoints: Endpoints;
  stop(): Promise<void>;
}

/** The emulators' ports ('0' for a free one); S3_PORT and COGNITO_PORT default to a free one. */
export type StackPorts = Record<'PORT' | 'MAIL_PORT' | 'DYNAMODB_PORT' | 'SFN_PORT' | 'EVENTS_PORT', string> & { readonly S3_PORT?: string; readonly COGNITO_PORT?: string };

/**
 * Every test and benchmark reaches its stack from one address (127.0.0.1), so the per-client limits
 * are raised for their hundreds of requests (the per-address limits stay as declared), unless the
 * caller sets `ASSENT_RATE_LIMITS` itself: test/e2e/limits.e2e.test.ts sets '' to keep the declared ones.
 */
export const ONE_CLIENT_LIMITS = JSON.stringify({
  'sign-up': { perClient: { max: 1_000_000, windowSeconds: 60 } },
  'reset-password': { perClient: { max: 1_000_000, windowSeconds: 60 } },
});

/** `local/start.ts` (what `npm start` runs) in a child process, on the Node that runs the tests. */
function startProcess(home: string, ports: Partial<StackPorts>, env: Record<string, string>): { child: ChildProcess; output: string[] } {
  const output: string[] = [];
  const child = spawn(process.execPath, ['--import', 'tsx', '--import', './local/register.mjs', 'local/start.ts'], {
    env: { ...process.env, NODE_OPTIONS: '', ASSENT_HOME: home, ASSENT_QUIET: process.env.ASSENT_TEST_VERBOSE ? '0' : '1', S3_PORT: '0', COGNITO_PORT: '0', ASSENT_RATE_LIMITS: ONE_CLIENT_LIMITS, ...ports, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (chunk) => output.push(String(chunk)));
  child.stderr?.on('data', (chunk) => output.push(String(chunk)));
  return { child, output };
}

/**
 * Starts `local/start.ts` (what `npm start` runs) in a child process and waits for its endpoints.
 * `env` adds settings such as `ASSENT_CONFIG` (the configuration: a JSON file's path or inline JSON,
 * local/config.ts), `ASSENT_TTL_MINUTES` or `ASSENT_SWEEP_SECONDS`.
 */
export async function spawnStack(home: string, ports: StackPorts, env: Record<string, string> = {}): Promise<RunningStack> {
  const endpointsFile = join(home, 'endpoints.json');
  rmSync(endpointsFile, { force: true });
  const { child, output } = startProcess(home, ports, env);
  const deadline = Date.now() + 90_000;
  while (!existsSync(endpointsFile)) {
    if (child.exitCode !== null) throw new Error(`The local stack exited (${child.exitCode}):\n${output.join('')}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`The local stack did not start within 90 s:\n${output.join('')}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  let endpoints: Endpoints;
  try {
    endpoints = JSON.parse(readFileSync(endpointsFile, 'utf8')) as Endpoints;
  } catch (error) {
    // Never leave a stack running that the caller cannot stop.
    child.kill('SIGKILL');
    throw error;
  }
  const stop = () =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null) return resolve();
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      child.once('exit', () => {
        clearTimeout(timer);
        resolve();
      });
      child.kill('SIGTERM');
    });
  return { child, home, output, endpoints, stop };
}

export interface ExitedStack {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  /** stdout and stderr, interleaved as they came. */
  readonly output: string;
}

/**
 * Runs `local/start.ts` until it exits by itself, for starts that must fail (a busy port, a home in
 * use, no Java). Leaves ASSENT_HOME as it is; kills the process after `timeoutMs` (then code is null).
 */
export function runStackUntilExit(home: string, ports: Partial<StackPorts>, env: Record<string, string> = {}, timeoutMs = 60_000): Promise<ExitedStack> {
  const { child, output } = startProcess(home, ports, env);
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  return new Promise((resolve) => {
    // 'close', not 'exit': it waits for the last output.
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, output: output.join('') });
    });
  });
}
