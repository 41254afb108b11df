import * as z from 'zod';
import { ConfigurationError } from '#core/errors';
import { RateLimitsSchema, type TaskTypeLimits } from '#core/task-type';
import { ENV } from './env-names.ts';

export interface Env {
  readonly tableName: string;
  readonly stateMachineArn: string;
  readonly mailFrom: string;
  readonly adminEmails: readonly string[];
  readonly publicUrl: string;
  readonly jwtIssuer: string;
  readonly jwtAudience: readonly string[];
  readonly jwksUrl: string;
  readonly rolesClaim: string;
  /** Minutes a finished task is kept before TTL archives it. */
  readonly ttlMinutes: number;
  readonly trackActions: boolean;
  /** The EventBridge bus lifecycle events are published to. */
  readonly eventBusName: string;
  /** The SES configuration set emails are sent with (absent or '' when none is set, as in local mode). */
  readonly mailConfigurationSet?: string;
  /** The user pool of the directory (functions/adapters/cognito/user-directory.ts). */
  readonly userPoolId: string;
  /** The bucket TTL-deleted records are archived to ('' unless asked for). */
  readonly archiveBucket: string;
  /** Per task type, limits replacing its own. */
  readonly rateLimits: Readonly<Record<string, TaskTypeLimits>>;
}

export type EnvKey = keyof typeof ENV;
/** Variables with a default: never missing. */
const OPTIONAL = new Set<EnvKey>(['rolesClaim', 'ttlMinutes', 'trackActions', 'rateLimits', 'mailConfigurationSet']);
/** Variables only some functions read: required only when named in `needed`. */
const ON_REQUEST = new Set<EnvKey>(['archiveBucket']);
const DEFAULT_NEEDED = (Object.keys(ENV) as EnvKey[]).filter((key) => !ON_REQUEST.has(key));

const list = (value: string) =>
  value
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean);

/**
 * Reads every variable once and throws naming all missing ones. CDK bindings and the local stack
 * set them (see functions/env-names.ts).
 */
export function readEnv(source: NodeJS.ProcessEnv = process.env, needed: readonly EnvKey[] = DEFAULT_NEEDED): Env {
  const missing = needed.filter((key) => !OPTIONAL.has(key) && !source[ENV[key]]).map((key) => ENV[key]);
  if (missing.length > 0) {
    throw new ConfigurationError(`Missing environment variable(s): ${missing.join(', ')}. CDK sets them through its bindings; locally, npm start does.`);
  }
  const get = (key: EnvKey) => source[ENV[key]] ?? '';
  return {
    tableName: get('tableName'),
    stateMachineArn: get('stateMachineArn'),
    mailFrom: get('mailFrom'),
    adminEmails: list(get('adminEmails')),
    publicUrl: get('publicUrl').replace(/\/+$/, ''),
    jwtIssuer: get('jwtIssuer'),
    jwtAudience: list(get('jwtAudience')),
    jwksUrl: get('jwksUrl'),
    rolesClaim: get('rolesClaim') || 'roles',
    ttlMinutes: Number(get('ttlMinutes') || 1440),
    trackActions: get('trackActions') !== 'false',
    eventBusName: get('eventBusName'),
    mailConfigurationSet: get('mailConfigurationSet'),
    userPoolId: get('userPoolId'),
    archiveBucket: get('archiveBucket'),
    rateLimits: rateLimitsOf(get('rateLimits')),
  };
}

const RateLimitOverridesSchema = z.record(z.string(), RateLimitsSchema.strict());

function rateLimitsOf(value: string): Record<string, TaskTypeLimits> {
  if (!value) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    throw new ConfigurationError(`${ENV.rateLimits} is not JSON: ${value.slice(0, 80)}`);
  }
  const limits = RateLimitOverridesSchema.safeParse(parsed);
  if (!limits.success) throw new ConfigurationError(`${ENV.rateLimits} is not valid:\n${z.prettifyError(limits.error)}`);
  return limits.data;
}
