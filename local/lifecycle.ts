/** Thrown by {@link Lifecycle.step} once the stack is stopping: nothing more is started. */
export class StackStoppingError extends Error {
  constructor() {
    super('The local stack is stopping.');
    this.name = 'StackStoppingError';
  }
}

interface Stoppable {
  readonly name: string;
  readonly stop: () => Promise<void> | void;
  /** Printed once it is done: `stopped`, `removed`... */
  readonly done: string;
  /** A service a step started (not a file to remove or a lock to release). */
  readonly service: boolean;
}

export interface StepOptions<T> {
  /** Printed after `ready`: the URL, the table name... */
  readonly detail?: (value: T) => string;
  /** How to stop what the step started; `stop()` calls it, last started first. */
  readonly stop?: (value: T) => Promise<void> | void;
}

const elapsed = (since: number) => `${((Date.now() - since) / 1000).toFixed(1)} s`;

/**
 * What `npm start` started, in order, and how to stop it. Each step prints its progress; `stop()`
 * (Ctrl+C, SIGTERM, or a step that failed) waits for the step under way, then stops everything
 * started so far, last started first, printing each name.
 */
export class Lifecycle {
  private readonly started: Stoppable[] = [];
  private current: Promise<unknown> = Promise.resolve();
  private stopped: Promise<void> | undefined;

  constructor(private readonly write: (text: string) => void = (text) => process.stdout.write(text)) {}

  get stopping(): boolean {
    return this.stopped !== undefined;
  }

  /** Runs one start-up step, printing `▸ label ... ready (1.2 s)  detail`, and remembers how to stop it. */
  step<T>(label: string, run: () => Promise<T>, options: StepOptions<T> = {}): Promise<T> {
    if (this.stopping) return Promise.reject(new StackStoppingError());
    const begin = Date.now();
    this.write(`  ▸ ${label} ...`);
    const result = (async () => {
      let value: T;
      try {
        value = await run();
      } catch (error) {
        this.write(' FAILED\n');
        throw error;
      }
      const { stop } = options;
      if (stop) this.started.push({ name: label, stop: () => stop(value), done: 'stopped', service: true });
      this.write(` ready (${elapsed(begin)})${options.detail ? `  ${options.detail(value)}` : ''}\n`);
      return value;
    })();
    this.current = result.catch(() => undefined);
    return result;
  }

  /** Remembers something to undo at stop that is not a service (a file to remove, a lock to release). */
  onStop(name: string, stop: () => Promise<void> | void, done = 'done'): void {
    this.started.push({ name, stop, done, service: false });
  }

  /**
   * Stops everything started, last first, printing what it stops (nothing when no service had
   * started); the same promise when called again.
   */
  stop(reason: string): Promise<void> {
    this.stopped ??= (async () => {
      await this.current;
      const print = this.started.some((entry) => entry.service);
      if (print) this.write(`\nStopping (${reason}):\n`);
      for (const { name, stop, done } of this.started.reverse()) {
        if (print) this.write(`  ▸ ${name} ...`);
        try {
          await stop();
          if (print) this.write(` ${done}\n`);
        } catch (error) {
          this.write(`${print ? '' : `  ▸ ${name} ...`} could not be stopped: ${error instanceof Error ? error.message : String(error)}\n`);
        }
      }
    })();
    return this.stopped;
  }
}
