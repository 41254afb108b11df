import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StackAlreadyRunningError } from '#local/errors';
import { LOCK_FILE, lockHome } from '#local/home-lock';

/** One stack per ASSENT_HOME: `stack.pid` holds the pid of the stack that has it. */
let home: string;
beforeEach(() => {
  home = mkdtempSync(join(tmpdir(), 'assent-lock-'));
});
afterEach(() => rmSync(home, { recursive: true, force: true }));

/** A pid no process has: one that just exited. */
const deadPid = () => spawnSync(process.execPath, ['-e', '0']).pid;

describe('lockHome', () => {
  it('writes this process pid, and release removes it', () => {
    // Act
    const lock = lockHome(home);
    const held = readFileSync(join(home, LOCK_FILE), 'utf8');
    lock.release();

    // Assess
    expect(held).toBe(`${process.pid}\n`);
    expect(readdirSync(home)).toStrictEqual([]);
  });

  it('refuses a home whose stack still runs, naming its pid and how to fix it', () => {
    // Prepare
    const parent = process.ppid;
    writeFileSync(join(home, LOCK_FILE), `${parent}\n`);

    // Act
    const locking = () => lockHome(home);

    // Assess
    expect(locking).toThrow(StackAlreadyRunningError);
    expect(locking).toThrow(
      `Another Assent stack (pid ${parent}) is already running on ${home}. Stop it first (Ctrl+C in its terminal, or kill ${parent}), or start this one with ASSENT_HOME set to another directory and other ports.`,
    );
    expect(readFileSync(join(home, LOCK_FILE), 'utf8')).toBe(`${parent}\n`);
  });

  it('takes over the lock of a stack that is gone (killed, so it could not remove it)', () => {
    // Prepare
    writeFileSync(join(home, LOCK_FILE), `${deadPid()}\n`);

    // Act
    const lock = lockHome(home);

    // Assess
    expect(readFileSync(join(home, LOCK_FILE), 'utf8')).toBe(`${process.pid}\n`);
    lock.release();
  });

  it('takes over a lock file that holds no pid', () => {
    // Prepare
    writeFileSync(join(home, LOCK_FILE), 'garbage');

    // Act
    const lock = lockHome(home);

    // Assess
    expect(readFileSync(join(home, LOCK_FILE), 'utf8')).toBe(`${process.pid}\n`);
    lock.release();
  });

  it('does not remove at release a lock another stack has taken since', () => {
    // Prepare
    const lock = lockHome(home);
    writeFileSync(join(home, LOCK_FILE), `${process.ppid}\n`);

    // Act
    lock.release();

    // Assess
    expect(existsSync(join(home, LOCK_FILE))).toBe(true);
  });
});
