/**
 * CPU time of the processes taking part, from /proc (Linux): the local stack's Node process (the
 * handlers, the Step Functions runner, the gateway and the SES/EventBridge/S3 emulators all run in
 * it), DynamoDB Local (its Java child) and this benchmark's own process (the client, the counting
 * proxy and the mailbox poller). On other systems the figures are absent.
 */
import { readdirSync, readFileSync } from 'node:fs';

/** Clock ticks per second of /proc's utime/stime (USER_HZ; 100 on Linux everywhere that matters). */
const TICKS_PER_SECOND = 100;

export interface CpuSample {
  /** CPU seconds (user + system) by process role. */
  readonly stack: number;
  readonly dynamodb: number;
  readonly bench: number;
  /** CPU seconds of the whole machine (all processes, all cores), from /proc/stat. */
  readonly machine: number;
}

/** Busy CPU seconds of the whole machine since boot (user, nice, system, irq, softirq, steal). */
function machineBusy(): number {
  try {
    const fields = (readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '').trim().split(/\s+/).slice(1).map(Number);
    const [user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0, steal = 0] = fields;
    return (user + nice + system + irq + softirq + steal) / TICKS_PER_SECOND;
  } catch {
    return Number.NaN;
  }
}

function statOf(pid: number): { ppid: number; comm: string; cpu: number } | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const close = text.lastIndexOf(')');
    const comm = text.slice(text.indexOf('(') + 1, close);
    const fields = text.slice(close + 2).split(' ');
    // After "pid (comm) ": state ppid ... utime is field 14 of the whole line, i.e. index 11 here.
    return { ppid: Number(fields[1]), comm, cpu: (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND };
  } catch {
    return undefined;
  }
}

/** The pids whose parent is `pid`. */
function childrenOf(pid: number): number[] {
  try {
    return readdirSync('/proc')
      .filter((name) => /^\d+$/.test(name))
      .map(Number)
      .filter((candidate) => statOf(candidate)?.ppid === pid);
  } catch {
    return [];
  }
}

/** Samples the stack process (`stackPid`), its Java child (DynamoDB Local) and this process. */
export class ProcessCpu {
  private readonly javaPid: number | undefined;

  constructor(private readonly stackPid: number | undefined) {
    this.javaPid = stackPid === undefined ? undefined : childrenOf(stackPid).find((pid) => statOf(pid)?.comm === 'java');
  }

  /** Whether /proc answered for the stack and DynamoDB Local. */
  get available(): boolean {
    return this.javaPid !== undefined;
  }

  sample(): CpuSample {
    const own = process.cpuUsage();
    return {
      stack: this.stackPid === undefined ? Number.NaN : (statOf(this.stackPid)?.cpu ?? Number.NaN),
      dynamodb: this.javaPid === undefined ? Number.NaN : (statOf(this.javaPid)?.cpu ?? Number.NaN),
      bench: (own.user + own.system) / 1e6,
      machine: machineBusy(),
    };
  }

  static since(before: CpuSample, after: CpuSample): CpuSample {
    return { stack: after.stack - before.stack, dynamodb: after.dynamodb - before.dynamodb, bench: after.bench - before.bench, machine: after.machine - before.machine };
  }

  /** CPU seconds of everything else on the machine (other people's work on a shared machine, the kernel's share). */
  static others(sample: CpuSample): number {
    return Math.max(0, sample.machine - sample.stack - sample.dynamodb - sample.bench);
  }
}
