import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type RunningStack, spawnStack } from './spawn-stack.ts';

declare global {
  var __ASSENT_STACK__: RunningStack | undefined;
}

/**
 * Starts the real local stack (`npm start`'s entry point) once for the integration and end-to-end
 * tests, on free ports and a fresh data directory. Tests find its endpoints through `ASSENT_TEST_HOME`.
 */
export default async function globalSetup(): Promise<void> {
  const home = mkdtempSync(join(tmpdir(), 'assent-test-'));
  globalThis.__ASSENT_STACK__ = await spawnStack(home, { PORT: '0', MAIL_PORT: '0', DYNAMODB_PORT: '0', SFN_PORT: '0', EVENTS_PORT: '0' });
  process.env.ASSENT_TEST_HOME = home;
}
