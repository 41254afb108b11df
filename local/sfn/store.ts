import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import type { ExecutionRecord } from './records.ts';

const RECORD_SUFFIX = '.json';
const TEMP_SUFFIX = '.tmp';

/**
 * Execution records as JSON files under `<dataDir>/executions/`, written atomically
 * (temp file + rename). Writes of one execution are serialized and coalesced: a save while a
 * write is queued is absorbed by it, and every write stores the record as it is at that moment.
 */
export class ExecutionStore {
  private readonly dir: string;
  private readonly onError: (message: string) => void;
  private readonly chains = new Map<string, Promise<void>>();
  private readonly queued = new Set<string>();

  constructor(dataDir: string, onError: (message: string) => void) {
    this.dir = join(dataDir, 'executions');
    this.onError = onError;
  }

  /** Creates the directory, drops temp files of interrupted writes and reads every record of `stateMachineArn`. */
  async load(stateMachineArn: string): Promise<ExecutionRecord[]> {
    await mkdir(this.dir, { recursive: true });
    const entries = await readdir(this.dir);
    await Promise.all(entries.filter((file) => file.endsWith(TEMP_SUFFIX)).map((file) => rm(join(this.dir, file), { force: true })));
    const files = entries.filter((file) => file.endsWith(RECORD_SUFFIX));
    const records = await Promise.all(files.map((file) => this.read(file)));
    return records.filter((record): record is ExecutionRecord => record?.stateMachineArn === stateMachineArn);
  }

  /** Persists the record (soon); the promise settles once a write including this state is on disk. */
  save(record: ExecutionRecord): Promise<void> {
    const existing = this.chains.get(record.name);
    if (existing && this.queued.has(record.name)) return existing;
    this.queued.add(record.name);
    const next = (existing ?? Promise.resolve()).then(() => this.write(record));
    this.chains.set(record.name, next);
    void next.then(() => {
      if (this.chains.get(record.name) === next) this.chains.delete(record.name);
    });
    return next;
  }

  /** Waits for every pending write. */
  async flush(): Promise<void> {
    while (this.chains.size > 0) await Promise.all([...this.chains.values()]);
  }

  private fileOf(name: string): string {
    return join(this.dir, `${encodeURIComponent(name)}${RECORD_SUFFIX}`);
  }

  private async read(file: string): Promise<ExecutionRecord | undefined> {
    try {
      return JSON.parse(await readFile(join(this.dir, file), 'utf8')) as ExecutionRecord;
    } catch (error) {
      this.onError(`sfn  cannot read ${file}: ${(error as Error).message}`);
      return undefined;
    }
  }

  private async write(record: ExecutionRecord): Promise<void> {
    this.queued.delete(record.name);
    const file = this.fileOf(record.name);
    const temp = `${file}.${randomUUID()}${TEMP_SUFFIX}`;
    try {
      await writeFile(temp, JSON.stringify(record));
      await rename(temp, file);
    } catch (error) {
      this.onError(`sfn  cannot save ${record.name}: ${(error as Error).message}`);
      await rm(temp, { force: true });
    }
  }
}
