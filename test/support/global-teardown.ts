import { rmSync } from 'node:fs';

export default async function globalTeardown(): Promise<void> {
  const stack = globalThis.__ASSENT_STACK__;
  if (!stack) return;
  await stack.stop();
  if (process.env.ASSENT_TEST_VERBOSE) process.stdout.write(stack.output.join(''));
  rmSync(stack.home, { recursive: true, force: true });
}
