/**
 * Local mode's configuration: `ASSENT_CONFIG` (a JSON file, or inline JSON), the same object as the
 * `assent` context of cdk.json (lib/config.ts), and the environment variables that override it.
 * Read once, before anything starts: a bad value stops `npm start` at once, naming its key.
 */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import * as z from 'zod';
import { configIssueMessage, dotted } from '../functions/core/config-issues.ts';
import { RateLimitsSchema, type TaskType } from '../functions/core/task-type.ts';
import type { TaskTypeOverridesInput } from '../functions/core/task-type-overrides.ts';
import { taskTypes as declaredTaskTypes } from '../functions/task-types.ts';
import { AssentConfigError, type ConfigSource, parseLocalConfig } from '../lib/config.ts';
import { LocalSetupError } from './errors.ts';

/** Who gets the operators' notifications locally: nobody's account, so never an approver. */
export const LOCAL_OPERATORS = 'operator@assent.local';
export const LOCAL_MAIL_FROM = 'assent@assent.local';

/** What the local stack sets the handlers' variables to, and how often its reconciler runs. */
export interface LocalSettings {
  readonly mailFrom: string;
  /** Comma-separated, as `ASSENT_OPERATOR_EMAILS`. */
  readonly operators: string;
  readonly ttlMinutes: string;
  readonly trackActions: string;
  /** JSON, as `ASSENT_TASK_TYPE_OVERRIDES`; '' when there are none. */
  readonly taskTypeOverrides: string;
  readonly reconcileSeconds: number;
  readonly reconcileGraceSeconds: number;
  /** Where the configuration came from, for the start-up summary. */
  readonly source: string;
}

/** The configuration `ASSENT_CONFIG` holds: inline JSON when it starts with `{`, else the path of a JSON file. */
function readConfig(value: string | undefined): { raw: unknown; source: ConfigSource; from: string } {
  const from = value === undefined || value.trim() === '' ? 'defaults' : value.trim().startsWith('{') ? 'inline JSON' : resolve(value);
  const source: ConfigSource = {
    title: `Invalid Assent configuration in ASSENT_CONFIG (${from}):`,
    at: (key) => (key ? `ASSENT_CONFIG ${key}` : 'ASSENT_CONFIG'),
    howToAdd: 'give ASSENT_CONFIG a JSON object (inline, or the path of a file holding one), e.g. {"operators":["ops@example.com"]}',
  };
  if (from === 'defaults') return { raw: {}, source, from };
  if (from === 'inline JSON') return { raw: value, source, from };
  if (!existsSync(from)) throw new LocalSetupError(`ASSENT_CONFIG=${value} names no file (${from}): give the path of a JSON file, or the JSON itself (starting with {).`);
  return { raw: readFileSync(from, 'utf8'), source, from };
}

const RateLimitOverridesSchema = z.record(z.string(), RateLimitsSchema.strict());

/**
 * `ASSENT_RATE_LIMITS` (local only, what the test stacks set): limits per task type, each limit
 * replacing the one ASSENT_CONFIG or the type gives.
 */
function withRateLimits(taskTypes: TaskTypeOverridesInput, value: string | undefined, declared: readonly TaskType[]): TaskTypeOverridesInput {
  if (!value) return taskTypes;
  let raw: unknown;
  try {
    raw = JSON.parse(value);
  } catch (cause) {
    throw new LocalSetupError(`ASSENT_RATE_LIMITS is not JSON: ${value.slice(0, 80)}; give limits per task type, e.g. {"sign-up":{"perClient":{"max":100,"windowSeconds":60}}}`, { cause });
  }
  const parsed = RateLimitOverridesSchema.safeParse(raw, { error: configIssueMessage });
  const names = declared.map((taskType) => taskType.name);
  const problems = parsed.success
    ? Object.keys(parsed.data).filter((name) => !names.includes(name)).map((name) => `${name}: no task type "${name}" is declared (declared: ${names.join(', ')})`)
    : parsed.error.issues.map((issue) => `${dotted(issue.path)}: ${issue.message}`);
  if (problems.length > 0) throw new LocalSetupError(['Invalid ASSENT_RATE_LIMITS:', ...problems.map((problem) => `  - ASSENT_RATE_LIMITS ${problem}`)].join('\n'));
  const merged: Record<string, { limits?: object }> = { ...taskTypes };
  for (const [name, limits] of Object.entries(parsed.data ?? {})) merged[name] = { ...merged[name], limits: { ...merged[name]?.limits, ...limits } };
  return merged as TaskTypeOverridesInput;
}

/**
 * The local settings: environment variables first, then `ASSENT_CONFIG`, then local defaults.
 * @throws LocalSetupError naming each bad key (`ASSENT_CONFIG taskTypes.sign-up.tokenTtlSeconds: ...`)
 */
export function loadLocalSettings(env: NodeJS.ProcessEnv = process.env, taskTypes: readonly TaskType[] = declaredTaskTypes): LocalSettings {
  if (env.ASSENT_ADMIN_EMAILS !== undefined) {
    throw new LocalSetupError(
      'ASSENT_ADMIN_EMAILS was renamed ASSENT_OPERATOR_EMAILS, and now names only who gets notifications (errors, stuck tasks, bounces), never approval emails: approvers come from the task types\' approval policies (the seeded accounts of group admin, or security). Rename the variable, or set operators in ASSENT_CONFIG.',
    );
  }
  const { raw, source, from } = readConfig(env.ASSENT_CONFIG);
  let config;
  try {
    config = parseLocalConfig(raw, source, { taskTypes });
  } catch (error) {
    if (error instanceof AssentConfigError) throw new LocalSetupError(error.message, { cause: error });
    throw error;
  }
  const overrides = withRateLimits(config.taskTypes, env.ASSENT_RATE_LIMITS, taskTypes);
  return {
    mailFrom: env.ASSENT_MAIL_FROM ?? config.mailFrom ?? LOCAL_MAIL_FROM,
    operators: env.ASSENT_OPERATOR_EMAILS ?? config.operators?.join(',') ?? LOCAL_OPERATORS,
    ttlMinutes: env.ASSENT_TTL_MINUTES ?? String(config.ttlMinutes),
    trackActions: env.ASSENT_TRACK_ACTIONS ?? String(config.trackActions),
    taskTypeOverrides: Object.keys(overrides).length > 0 ? JSON.stringify(overrides) : '',
    reconcileSeconds: Number(env.ASSENT_RECONCILE_SECONDS ?? config.local.reconcileSeconds ?? 30),
    reconcileGraceSeconds: Number(env.ASSENT_RECONCILE_GRACE_SECONDS ?? config.local.reconcileGraceSeconds ?? 120),
    source: from,
  };
}
