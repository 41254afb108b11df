import { ConfigurationError } from '#core/errors';
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
}

const list = (value: string) =>
  value
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean);

/**
 * Reads every variable once and throws naming all missing ones. CDK bindings and the local stack
 * set them (see functions/env-names.ts).
 */
export function readEnv(source: NodeJS.ProcessEnv = process.env, needed: readonly (keyof typeof ENV)[] = Object.keys(ENV) as (keyof typeof ENV)[]): Env {
  const optional = new Set<keyof typeof ENV>(['rolesClaim', 'ttlMinutes', 'trackActions']);
  const missing = needed.filter((key) => !optional.has(key) && !source[ENV[key]]).map((key) => ENV[key]);
  if (missing.length > 0) {
    throw new ConfigurationError(`Missing environment variable(s): ${missing.join(', ')}. CDK sets them through its bindings; locally, npm start does.`);
  }
  const get = (key: keyof typeof ENV) => source[ENV[key]] ?? '';
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
  };
}
