import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

declare global {
  var __ASSENT_STACK__: { child: ChildProcess; home: string; output: string[] } | undefined;
}

/**
 * Starts the real local stack (`npm start`'s entry point) once for the integration and end-to-end
 * tests, on free ports and a fresh data directory. Tests read `.../endpoints.json` through
 * `ASSENT_TEST_HOME`.
 */
export default async function globalSetup(): Promise<void> {
  const home = mkdtempSync(join(tmpdir(), 'assent-test-'));
  const output: string[] = [];
  const child = spawn(process.execPath, ['--import', 'tsx', '--import', './local/register.mjs', 'local/start.ts'], {
    env: {
      ...process.env,
      NODE_OPTIONS: '',
      ASSENT_HOME: home,
      ASSENT_QUIET: process.env.ASSENT_TEST_VERBOSE ? '0' : '1',
      PORT: '0',
      MAIL_PORT: '0',
      DYNAMODB_PORT: '0',
      SFN_PORT: '0',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (chunk) => output.push(String(chunk)));
  child.stderr?.on('data', (chunk) => output.push(String(chunk)));
  globalThis.__ASSENT_STACK__ = { child, home, output };
  process.env.ASSENT_TEST_HOME = home;

  const endpoints = join(home, 'endpoints.json');
  const deadline = Date.now() + 90_000;
  while (!existsSync(endpoints)) {
    if (child.exitCode !== null) throw new Error(`The local stack exited (${child.exitCode}):\n${output.join('')}`);
    if (Date.now() > deadline) throw new Error(`The local stack did not start within 90 s:\n${output.join('')}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  JSON.parse(readFileSync(endpoints, 'utf8'));
}
