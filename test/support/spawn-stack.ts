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

/** The emulators' ports ('0' for a free one); S3_PORT defaults to a free one. */
export type StackPorts = Record<'PORT' | 'MAIL_PORT' | 'DYNAMODB_PORT' | 'SFN_PORT' | 'EVENTS_PORT', string> & { readonly S3_PORT?: string };

/**
 * Starts `local/start.ts` (what `npm start` runs) in a child process and waits for its endpoints.
 * `env` adds settings such as `ASSENT_TTL_MINUTES` or `ASSENT_SWEEP_SECONDS`.
 */
export async function spawnStack(home: string, ports: StackPorts, env: Record<string, string> = {}): Promise<RunningStack> {
  const output: string[] = [];
  const endpointsFile = join(home, 'endpoints.json');
  rmSync(endpointsFile, { force: true });
  const child = spawn(process.execPath, ['--import', 'tsx', '--import', './local/register.mjs', 'local/start.ts'], {
    env: { ...process.env, NODE_OPTIONS: '', ASSENT_HOME: home, ASSENT_QUIET: process.env.ASSENT_TEST_VERBOSE ? '0' : '1', S3_PORT: '0', ...ports, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (chunk) => output.push(String(chunk)));
  child.stderr?.on('data', (chunk) => output.push(String(chunk)));
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
