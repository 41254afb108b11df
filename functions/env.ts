import { ConfigurationError } from '#core/errors';
import { ENV } from './env-names.ts';

export interface Env {
  readonly tableName: string;
  readonly stateMachineArn: string;
  readonly mailFrom: string;
  /** Who gets notifications (errors, stuck tasks, bounces); approvers come from the task types' approval policies. */
  readonly operatorEmails: readonly string[];
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
  /**
   * The deployment's task type overrides as configured (JSON, not yet checked): `createApp` applies
   * them to the declared types, and fails naming every bad field (functions/core/task-type-overrides.ts).
   */
  readonly taskTypeOverrides: Readonly<Record<string, unknown>>;
}

export type EnvKey = keyof typeof ENV;
/** Variables with a default: never missing. */
const OPTIONAL = new Set<EnvKey>(['rolesClaim', 'ttlMinutes', 'trackActions', 'taskTypeOverrides', 'mailConfigurationSet']);
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
    operatorEmails: list(get('operatorEmails')),
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
    taskTypeOverrides: overridesOf(get('taskTypeOverrides')),
  };
}

/** The JSON object of `ASSENT_TASK_TYPE_OVERRIDES`; its fields are checked where they are applied. */
function overridesOf(value: string): Record<string, unknown> {
  if (!value) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    throw new ConfigurationError(`${ENV.taskTypeOverrides} is not JSON: ${value.slice(0, 80)}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new ConfigurationError(`${ENV.taskTypeOverrides} must be a JSON object of task type name → settings, e.g. {"sign-up":{"tokenTtlSeconds":3600}} (got ${value.slice(0, 80)})`);
  }
  return parsed as Record<string, unknown>;
}

/**
 * Where a browser signs in against the user pool: Cognito's public endpoint of the function's
 * region, or the endpoint the environment names for the SDK (`AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER`,
 * as npm start sets it to cognito-local). '' when neither is known.
 */
export function cognitoEndpointOf(source: NodeJS.ProcessEnv = process.env): string {
  const named = source.AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER ?? source.AWS_ENDPOINT_URL;
  if (named) return named.endsWith('/') ? named : `${named}/`;
  const region = source.AWS_REGION ?? source.AWS_DEFAULT_REGION;
  return region ? `https://cognito-idp.${region}.amazonaws.com/` : '';
}
