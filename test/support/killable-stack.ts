import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { isPortFree } from '../../local/ports.ts';
import { ONE_CLIENT_LIMITS, type StackPorts } from './spawn-stack.ts';
import type { Endpoints } from './stack.ts';

/** `endpoints.json` with the processes behind the stack (local/start.ts writes `pids`). */
export type EndpointsWithPids = Endpoints & { readonly pids: { readonly stack: number; readonly dynamodb: number | null } };

export interface KillableStack {
  readonly endpoints: EndpointsWithPids;
  /** The stack's process: the leader of its own process group, which holds every service it started. */
  readonly pid: number;
  /** stdout and stderr of this run of the stack. */
  readonly output: string[];
  /** `kill -9` the whole process group (the stack, DynamoDB Local's JVM); resolves once every port is free again. */
  kill9(): Promise<void>;
  /** SIGTERM: the stack stops its services and exits (SIGKILL after 20 s). */
  stop(): Promise<void>;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Starts `local/start.ts` (what `npm start` runs) as the leader of a process group of its own, so
 * that a test can `kill -9` the stack with every process it started (DynamoDB Local's JVM
 * included) the way a crash or an OOM kill would, without touching the test runner's group.
 * Waits for `endpoints.json`. Give fixed ports and the same `home` to start it again on the same
 * data, with every emailed link still valid.
 */
export async function startKillableStack(home: string, ports: StackPorts, env: Record<string, string> = {}, timeoutMs = 120_000): Promise<KillableStack> {
  const endpointsFile = join(home, 'endpoints.json');
  // A killed stack leaves its endpoints behind: wait for the new ones.
  rmSync(endpointsFile, { force: true });
  const output: string[] = [];
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', '--import', './local/register.mjs', 'local/start.ts'], {
    env: { ...process.env, NODE_OPTIONS: '', ASSENT_HOME: home, ASSENT_QUIET: process.env.ASSENT_TEST_VERBOSE ? '0' : '1', S3_PORT: '0', COGNITO_PORT: '0', ASSENT_RATE_LIMITS: ONE_CLIENT_LIMITS, ...ports, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  child.stdout?.on('data', (chunk) => output.push(String(chunk)));
  child.stderr?.on('data', (chunk) => output.push(String(chunk)));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const pid = child.pid;
  if (pid === undefined) throw new Error(`The local stack did not start:\n${output.join('')}`);

  const killGroup = () => {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
    }
  };
  const deadline = Date.now() + timeoutMs;
  while (!existsSync(endpointsFile)) {
    if (child.exitCode !== null || child.signalCode !== null) {
      killGroup();
      throw new Error(`The local stack exited (${child.exitCode ?? child.signalCode}):\n${output.join('')}`);
    }
    if (Date.now() > deadline) {
      killGroup();
      throw new Error(`The local stack did not start within ${timeoutMs / 1000} s:\n${output.join('')}`);
    }
    await sleep(100);
  }
  const endpoints = JSON.parse(readFileSync(endpointsFile, 'utf8')) as EndpointsWithPids;
  const portsOf = () => [endpoints.api, endpoints.mailbox, endpoints.services.dynamodb, endpoints.services.sfn, endpoints.services.events, endpoints.services.s3].map((url) => Number(new URL(url).port));

  return {
    endpoints,
    pid,
    output,
    async kill9() {
      killGroup();
      await exited;
      // The JVM is a grandchild: it is gone once its port is free (the kernel closes a killed process's sockets).
      const free = Date.now() + 30_000;
      for (const port of portsOf()) {
        while (!(await isPortFree(port))) {
          if (Date.now() > free) throw new Error(`Port ${port} still taken 30 s after kill -9 of the stack's process group`);
          await sleep(50);
        }
      }
    },
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const timer = setTimeout(killGroup, 20_000);
      child.kill('SIGTERM');
      await exited;
      clearTimeout(timer);
    },
  };
}
