import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type RunningStack, spawnStack } from './spawn-stack.ts';
import { TEST_STACK_ENV } from './test-stack-config.ts';

declare global {
  var __ASSENT_STACK__: RunningStack | undefined;
}

/**
 * Starts the real local stack (`npm start`'s entry point) once for the integration and end-to-end
 * tests, on free ports and a fresh data directory, with role-grant's security level shortened and
 * the reconciler run every few seconds (test/support/test-stack-config.ts). Tests find its
 * endpoints through `ASSENT_TEST_HOME`.
 */
export default async function globalSetup(): Promise<void> {
  const home = mkdtempSync(join(tmpdir(), 'assent-test-'));
  globalThis.__ASSENT_STACK__ = await spawnStack(home, { PORT: '0', MAIL_PORT: '0', DYNAMODB_PORT: '0', SFN_PORT: '0', EVENTS_PORT: '0' }, { ...TEST_STACK_ENV });
  process.env.ASSENT_TEST_HOME = home;
}
