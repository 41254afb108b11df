import { rmSync } from 'node:fs';

export default async function globalTeardown(): Promise<void> {
  const stack = globalThis.__ASSENT_STACK__;
  if (!stack) return;
  if (stack.child.exitCode === null) {
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        stack.child.kill('SIGKILL');
        resolve();
      }, 10_000);
      stack.child.once('exit', () => {
        clearTimeout(timer);
        resolve();
      });
      stack.child.kill('SIGTERM');
    });
  }
  if (process.env.ASSENT_TEST_VERBOSE) process.stdout.write(stack.output.join(''));
  rmSync(stack.home, { recursive: true, force: true });
}
