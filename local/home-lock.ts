import { linkSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { StackAlreadyRunningError } from './errors.ts';

/** The lock file in ASSENT_HOME: the pid of the stack that holds it. */
export const LOCK_FILE = 'stack.pid';

export interface HomeLock {
  /** Removes the lock file (only while it still holds this process's pid). */
  release(): void;
}

const isAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
};

const holderOf = (file: string): number | undefined => {
  try {
    const pid = Number(readFileSync(file, 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
};

/**
 * Takes ASSENT_HOME for this process, so two stacks never share one data directory: `stack.pid` is
 * written aside and hard-linked into place, which fails when the file exists (and never shows it
 * half-written). A lock whose process is gone (a killed stack) is taken over; one whose process
 * lives throws {@link StackAlreadyRunningError}.
 */
export function lockHome(home: string): HomeLock {
  const file = join(home, LOCK_FILE);
  const aside = `${file}.${process.pid}`;
  writeFileSync(aside, `${process.pid}\n`, { mode: 0o600 });
  try {
    for (let attempt = 0; ; attempt++) {
      try {
        linkSync(aside, file);
        return { release: () => (holderOf(file) === process.pid ? rmSync(file, { force: true }) : undefined) };
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 0) throw error;
        const holder = holderOf(file);
        if (holder !== undefined && isAlive(holder)) throw new StackAlreadyRunningError(home, holder);
        rmSync(file, { force: true });
      }
    }
  } finally {
    rmSync(aside, { force: true });
  }
}
