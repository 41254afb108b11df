/**
 * The deploy configuration: the `assent` object under `context` in cdk.json, parsed once by
 * `bin/assent.ts`. Every key is checked here so a bad value fails `cdk synth` with a message that
 * names the key and says how to fix it, instead of failing a deployment (or a Lambda) later.
 */
import { z } from 'zod';
import { configIssueMessage } from '../functions/core/config-issues.ts';
import { RateLimitsSchema, type TaskType } from '../functions/core/task-type.ts';
import { resolveTaskTypeOverrides, type TaskTypeOverridesInput } from '../functions/core/task-type-overrides.ts';
import { taskTypes as declaredTaskTypes } from '../functions/task-types.ts';

/** Where the configuration lives; used in every error message. */
export const CONFIG_CONTEXT_KEY = 'assent';

/** Retention periods CloudWatch Logs accepts (`AWS::Logs::LogGroup` `RetentionInDays`). */
export const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;

/**
 * A zod error callback: "is missing" when the key is absent, else "must be <what>", with an example.
 * The key name is added by {@link formatIssues}.
 */
const hint =
  (what: string, example: string) =>
  (issue: { input?: unknown }): string =>
    issue.input === undefined
      ? `is missing; add it, e.g. ${example}`
      : `must be ${what}, e.g. ${example} (got ${JSON.stringify(issue.input)})`;

/** A bare domain name such as `example.com`. */
const DOMAIN = /^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/i;

/** An origin a browser sends (`https://host[:port]`, no path); plain http only for localhost. */
const ORIGIN = /^(?:https:\/\/(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)*[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?|http:\/\/(?:localhost|127\.0\.0\.1))(?::\d{1,5})?$/i;
/** An ACM certificate ARN. */
const CERTIFICATE_ARN = /^arn:aws[a-z-]*:acm:[a-z0-9-]+:\d{12}:certificate\/[0-9a-f-]{36}$/;

/** A Cognito user pool id: `<region>_<id>` (`eu-west-1_AbCdEf123`). */
const USER_POOL_ID = /^([a-z]{2}(?:-[a-z]+)+-\d+)_[0-9A-Za-z]+$/;
const USER_POOL_ID_EXAMPLE = 'eu-west-1_AbCdEf123';
/** The claim Cognito lists a user's groups in. */
export const COGNITO_GROUPS_CLAIM = 'cognito:groups';

/** `https://cognito-idp.<region>.amazonaws.com/<poolId>` (`.amazonaws.com.cn` in China), the `iss` of the pool's tokens. */
export function cognitoIssuerOf(userPoolId: string): string {
  const region = USER_POOL_ID.exec(userPoolId)?.[1];
  if (region === undefined) throw new Error(`"${userPoolId}" is not a Cognito user pool id (<region>_<id>), e.g. "${USER_POOL_ID_EXAMPLE}".`);
  return `https://cognito-idp.${region}.amazonaws.com${region.startsWith('cn-') ? '.cn' : ''}/${userPoolId}`;
}

/**
 * Which bearer tokens the API accepts. `stack-pool`: those of the pool the stack creates (issuer and
 * app client are known at deploy time only); `user-pool`: those of the existing pool `userPoolId`
 * (issuer derived from its id); `own-issuer`: those of `jwtIssuer`.
 */
export type JwtConfig =
  | { readonly source: 'stack-pool'; readonly rolesClaim: string }
  | {
      readonly source: 'user-pool' | 'own-issuer';
      readonly issuer: string;
      readonly audience: readonly string[];
      readonly jwksUrl: string;
      readonly rolesClaim: string;
    };

const EmailSchema = (example: string) => z.email({ error: hint('an email address', `"${example}"`) });
const HttpsUrlSchema = (example: string) =>
  z.url({ protocol: /^https$/, hostname: z.regexes.domain, error: hint('an https:// URL', `"${example}"`) });
/** An SES identity: a verified domain (`example.com`) or a verified email address. */
const SesIdentitySchema = z
  .string({ error: hint('an SES identity (a domain or an email address)', '"example.com"') })
  .refine((value) => DOMAIN.test(value) || z.email().safeParse(value).success, {
    error: hint('an SES identity (a domain or an email address)', '"example.com"'),
  });

const ConfigObjectSchema = z.strictObject({
  /** The From address of every email. Must belong to {@link sesIdentity}. */
  senderEmail: EmailSchema('noreply@example.com'),
  /**
   * The verified SES identity the sender address belongs to: its domain (`example.com`) or the
   * address itself. `ses:SendEmail`/`ses:SendRawEmail` are granted on this identity only.
   */
  sesIdentity: SesIdentitySchema,
  /**
   * While the SES account is in the sandbox, SES also authorizes each recipient against its own
   * verified identity: list those identities (addresses or domains) here so the send grant
   * covers them. Leave empty once the account has production access.
   * @default []
   */
  sesSandboxRecipients: z
    .array(SesIdentitySchema, {
      error: hint('a list of SES identities', '["approver@example.com"]'),
    })
    .default([]),
  /**
   * Operators: who gets notifications (errors, stuck tasks, bounces). Never approval emails:
   * approvers come from each task type's approval policy (default: the user pool's group `admin`).
   */
  operators: z
    .array(EmailSchema('ops@example.com'), {
      error: hint('a list of email addresses', '["ops@example.com"]'),
    })
    .min(1, { error: 'must list at least one email address, e.g. ["ops@example.com"]' }),
  /**
   * An existing Cognito user pool, in the stack's region, to keep the example actions' accounts in
   * instead of the pool the stack creates. The stack then creates nothing in it (no app client, no
   * groups: create one group per role of functions/roles.ts yourself) and needs {@link jwtAudience}:
   * the id(s) of its app client(s).
   * @default - the stack creates the pool, its console app client and one group per role
   */
  userPoolId: z
    .string({ error: hint('a Cognito user pool id', `"${USER_POOL_ID_EXAMPLE}"`) })
    .regex(USER_POOL_ID, { error: hint('a Cognito user pool id (<region>_<id>)', `"${USER_POOL_ID_EXAMPLE}"`) })
    .optional(),
  /**
   * Bring your own issuer: the `iss` of the bearer tokens the API accepts, exactly as the identity
   * provider writes it. Needs {@link jwtAudience}.
   * @default - the user pool's issuer: the stack-created pool's, or {@link userPoolId}'s
   */
  jwtIssuer: HttpsUrlSchema('https://auth.example.com/').optional(),
  /**
   * Accepted `aud` (or Cognito `client_id`) values; only with {@link jwtIssuer} or {@link userPoolId}.
   * @default - the stack-created pool's app client
   */
  jwtAudience: z
    .array(z.string().min(1, { error: 'must not contain empty strings' }), {
      error: hint('a list of audiences (client ids)', '["assent-admin"]'),
    })
    .min(1, { error: 'must list at least one audience (client id), e.g. ["assent-admin"]' })
    .optional(),
  /**
   * The claim holding the caller's roles (a list of strings).
   * @default 'cognito:groups' (the user pool's groups); 'roles' with {@link jwtIssuer}
   */
  jwtRolesClaim: z
    .string({ error: hint('a claim name', '"roles" or "cognito:groups"') })
    .min(1, { error: 'must not be empty, e.g. "roles" or "cognito:groups"' })
    .optional(),
  /**
   * The issuer's JSON Web Key Set, used by the handlers to verify optional bearer tokens; only with
   * {@link jwtIssuer}.
   * @default `<issuer>/.well-known/jwks.json`
   */
  jwksUrl: HttpsUrlSchema('https://auth.example.com/.well-known/jwks.json').optional(),
  /**
   * The base URL of links in emails (a custom domain in front of the API).
   * @default `https://<domainName>` when domainName is set, else the HTTP API's execute-api endpoint
   */
  publicUrl: HttpsUrlSchema('https://assent.example.com').optional(),
  /**
   * A custom domain for the HTTP API (an API Gateway domain name mapped to its `$default` stage).
   * Needs {@link certificateArn}; you point the domain's DNS at the `CustomDomainTarget` output.
   * @default - none: the execute-api endpoint
   */
  domainName: z
    .string({ error: hint('a domain name', '"assent.example.com"') })
    .regex(DOMAIN, { error: hint('a domain name (no scheme, no path)', '"assent.example.com"') })
    .optional(),
  /**
   * The ACM certificate of {@link domainName}, in the stack's region (API Gateway's regional
   * endpoints use a certificate of their own region).
   * @default - none; required with domainName
   */
  certificateArn: z
    .string({ error: hint('an ACM certificate ARN', '"arn:aws:acm:eu-west-1:123456789012:certificate/0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d"') })
    .regex(CERTIFICATE_ARN, { error: hint('an ACM certificate ARN', '"arn:aws:acm:eu-west-1:123456789012:certificate/0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d"') })
    .optional(),
  /**
   * Origins whose browser pages may call the API (CORS, answered by API Gateway). The approval
   * and token pages are served by the API itself and need none.
   * @default [] (no CORS)
   */
  corsOrigins: z
    .array(
      z.string().regex(ORIGIN, { error: hint('an origin (https://host[:port], no path; http only for localhost)', '"https://admin.example.com"') }),
      { error: hint('a list of origins', '["https://admin.example.com"]') },
    )
    .default([]),
  /**
   * Addresses subscribed to the operators' alarm topic. SNS emails each a confirmation link once;
   * alarms reach it after it is confirmed. Subscribe anything else (a chat hook, a pager) to the
   * `AlarmTopicArn` output yourself.
   * @default []
   */
  alarmEmails: z
    .array(EmailSchema('ops@example.com'), {
      error: hint('a list of email addresses', '["ops@example.com"]'),
    })
    .default([]),
  /**
   * Retention of every log group (functions, state machine, API access logs).
   * @default 30
   */
  logRetentionDays: z
    .number({ error: hint('a number of days', '30') })
    .refine((days) => (LOG_RETENTION_DAYS as readonly number[]).includes(days), {
      error: `must be one of the retention periods CloudWatch Logs accepts: ${LOG_RETENTION_DAYS.join(', ')}`,
    })
    .default(30),
  /**
   * Powertools log level of the functions.
   * @default 'INFO'
   */
  logLevel: z
    .enum(['DEBUG', 'INFO', 'WARN', 'ERROR'], { error: hint('one of DEBUG, INFO, WARN, ERROR', '"INFO"') })
    .default('INFO'),
  /**
   * Minutes a task is kept after it reaches a terminal state (DynamoDB TTL).
   * @default 1440
   */
  ttlMinutes: z
    .number({ error: hint('a whole number of minutes', '1440') })
    .int({ error: 'must be a whole number of minutes, e.g. 1440' })
    .positive({ error: 'must be at least 1 minute, e.g. 1440' })
    .default(1440),
  /**
   * Keep finished tasks (until their TTL) so they can be listed and audited.
   * @default true
   */
  trackActions: z.boolean({ error: hint('true or false', 'true') }).default(true),
  /**
   * Per task type, changes to its declared settings (functions/core/task-type-overrides.ts):
   * `{ "sign-up": { "tokenTtlSeconds": 3600, "approval": { "levels": [{ "name": "admins", "quorum": 2 }] } } }`.
   * Checked against the declared task types by {@link parseAssentConfig}, every bad field named.
   * @default {} (the task types as declared in functions/task-types.ts)
   */
  taskTypes: z
    .custom<TaskTypeOverridesInput>((value) => typeof value === 'object' && value !== null && !Array.isArray(value), {
      error: hint('an object of task type name → settings', '{"sign-up":{"tokenTtlSeconds":3600}}'),
    })
    .default({}),
  /**
   * The older spelling of `taskTypes.<name>.limits`, kept working: per task type, limits replacing
   * the declared ones (`{ "sign-up": { "perClient": { "max": 100, "windowSeconds": 3600 } } }`),
   * folded into {@link taskTypes}. A type may have its limits in one of the two places, not both.
   * @default {}
   */
  rateLimits: z.record(z.string(), RateLimitsSchema.strict(), { error: hint('limits per task type', '{"sign-up":{"perClient":{"max":100,"windowSeconds":3600}}}') }).default({}),
});

/** The keys the checks below read; any may be invalid (zod runs them even when a key failed). */
type Checked = Partial<z.output<typeof ConfigObjectSchema>>;
/** Where the checks report. */
interface IssueSink {
  addIssue(issue: { code: 'custom'; path: PropertyKey[]; message: string }): void;
}

/** The checks that compare keys, for the deploy and the local configuration alike. */
function checkKeys(config: Checked, ctx: IssueSink): void {
  checkSender(config, ctx);
  checkCustomDomain(config, ctx);
  checkIdentity(config, ctx);
  checkLimitsOnce(config, ctx);
}

/** The sender belongs to the SES identity (locally, where both may be absent, when both are given). */
function checkSender(config: Checked, ctx: IssueSink): void {
  // zod runs this even when a key failed above; only compare two valid values.
  if (config.senderEmail === undefined || config.sesIdentity === undefined) return;
  if (!z.email().safeParse(config.senderEmail).success || !SesIdentitySchema.safeParse(config.sesIdentity).success) return;
  const domain = config.senderEmail.split('@')[1]?.toLowerCase() ?? '';
  const identity = config.sesIdentity.toLowerCase();
  const covered =
    identity === config.senderEmail.toLowerCase() || domain === identity || domain.endsWith(`.${identity}`);
  if (!covered) {
    ctx.addIssue({
      code: 'custom',
      path: ['sesIdentity'],
      message: `must be the domain of senderEmail ("${domain}") or senderEmail itself, because SES authorizes the From address against it (got ${JSON.stringify(config.sesIdentity)})`,
    });
  }
}

/** A custom domain is a name and its certificate. */
function checkCustomDomain(config: Checked, ctx: IssueSink): void {
  // A custom domain is a name and its certificate: one without the other cannot be deployed.
  if (config.domainName !== undefined && config.certificateArn === undefined) {
    ctx.addIssue({
      code: 'custom',
      path: ['certificateArn'],
      message: `is missing; domainName needs it: add the ARN of an ACM certificate for "${config.domainName}" in the stack's region, e.g. "arn:aws:acm:eu-west-1:123456789012:certificate/0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d"`,
    });
  }
  if (config.certificateArn !== undefined && config.domainName === undefined) {
    ctx.addIssue({
      code: 'custom',
      path: ['domainName'],
      message: 'is missing; certificateArn is only used with it: add the domain the certificate is for, e.g. "assent.example.com", or remove certificateArn',
    });
  }
}

/** Tokens come from the stack's pool, userPoolId's, or jwtIssuer. */
function checkIdentity(config: Checked, ctx: IssueSink): void {
  // Tokens come from the stack's pool, userPoolId's, or jwtIssuer: each key says what it needs.
  const audienceExample = '["1example23456789abcdefghij"]';
  if (config.jwtAudience === undefined && config.jwtIssuer !== undefined) {
    ctx.addIssue({ code: 'custom', path: ['jwtAudience'], message: `is missing; jwtIssuer needs it: add the audiences (or Cognito app client ids) its tokens carry, e.g. ${audienceExample}` });
  } else if (config.jwtAudience === undefined && config.userPoolId !== undefined) {
    ctx.addIssue({ code: 'custom', path: ['jwtAudience'], message: `is missing; with userPoolId the stack creates no app client: add the id of the pool's app client (Cognito console → App clients), e.g. ${audienceExample}` });
  }
  if (config.jwtAudience !== undefined && config.jwtIssuer === undefined && config.userPoolId === undefined) {
    ctx.addIssue({ code: 'custom', path: ['jwtAudience'], message: 'is only used with jwtIssuer or userPoolId: the stack-created pool\'s app client is the audience; remove jwtAudience, or add jwtIssuer (bring your own issuer) or userPoolId (an existing pool)' });
  }
  if (config.jwksUrl !== undefined && config.jwtIssuer === undefined) {
    ctx.addIssue({ code: 'custom', path: ['jwksUrl'], message: 'is only used with jwtIssuer: a Cognito user pool\'s key set is always <issuer>/.well-known/jwks.json; remove jwksUrl, or add jwtIssuer' });
  }
}

/** A type's limits in rateLimits or in taskTypes, not both. */
function checkLimitsOnce(config: Checked, ctx: IssueSink): void {
  // rateLimits is folded into taskTypes: the same type's limits in both would leave one unused.
  if (!isObject(config.rateLimits) || !isObject(config.taskTypes)) return;
  for (const name of Object.keys(config.rateLimits)) {
    const override = (config.taskTypes as Record<string, { limits?: unknown } | undefined>)[name];
    if (override?.limits !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['rateLimits', name], message: `gives the limits of "${name}" a second time: taskTypes.${name}.limits gives them too; keep one (taskTypes.${name}.limits is the current spelling)` });
    }
  }
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** The `assent` context schema: the keys above, the checks that compare them, derived defaults. */
export const AssentConfigSchema = ConfigObjectSchema
  .superRefine(checkKeys)
  .transform(({ userPoolId, jwtIssuer, jwtAudience, jwksUrl, jwtRolesClaim, rateLimits, taskTypes, ...config }) => ({
    ...config,
    taskTypes: foldRateLimits(taskTypes, rateLimits),
    userPoolId,
    jwt: jwtOf(userPoolId, jwtIssuer, jwtAudience ?? [], jwksUrl, jwtRolesClaim),
    domainName: config.domainName?.toLowerCase(),
    publicUrl: config.publicUrl?.replace(/\/+$/, '') ?? (config.domainName === undefined ? undefined : `https://${config.domainName.toLowerCase()}`),
  }));

/**
 * `ASSENT_CONFIG` (local mode): the same keys and checks, with the ones required on AWS optional
 * (senderEmail, sesIdentity, operators), plus `local`. Local mode uses the keys that mean something
 * there (senderEmail, operators, ttlMinutes, trackActions, taskTypes, rateLimits, local) and
 * ignores the deploy-only ones once checked.
 */
const LocalObjectSchema = ConfigObjectSchema.partial({ senderEmail: true, sesIdentity: true, operators: true }).extend({
  /** Local mode only (cdk.json refuses it): how often the reconciler runs, and its grace period. */
  local: z
    .strictObject({
      reconcileSeconds: z.number({ error: hint('a whole number of seconds', '30') }).int({ error: 'must be a whole number of seconds, e.g. 30' }).positive({ error: 'must be at least 1 second, e.g. 30' }).optional(),
      reconcileGraceSeconds: z.number({ error: hint('a whole number of seconds', '120') }).int({ error: 'must be a whole number of seconds, e.g. 120' }).nonnegative({ error: 'must be 0 or more seconds, e.g. 120' }).optional(),
    })
    .default({}),
});
export const LocalConfigSchema = LocalObjectSchema.superRefine(checkKeys).transform(({ senderEmail, operators, ttlMinutes, trackActions, taskTypes, rateLimits, local }) => ({
  /** The sender of every email (`ASSENT_MAIL_FROM`). */
  mailFrom: senderEmail,
  operators,
  ttlMinutes,
  trackActions,
  taskTypes: foldRateLimits(taskTypes, rateLimits),
  local,
}));
/** What local mode takes from `ASSENT_CONFIG`. */
export type LocalAssentConfig = z.output<typeof LocalConfigSchema>;

/** `rateLimits.<name>` as `taskTypes.<name>.limits`. */
function foldRateLimits(taskTypes: TaskTypeOverridesInput, rateLimits: Readonly<Record<string, object>>): TaskTypeOverridesInput {
  const folded: Record<string, object> = { ...taskTypes };
  for (const [name, limits] of Object.entries(rateLimits)) folded[name] = { ...folded[name], limits };
  return folded as TaskTypeOverridesInput;
}

/** The tokens the API accepts, from the (checked) identity keys. */
function jwtOf(userPoolId: string | undefined, issuer: string | undefined, audience: readonly string[], jwksUrl: string | undefined, rolesClaim: string | undefined): JwtConfig {
  if (issuer !== undefined) {
    return { source: 'own-issuer', issuer, audience, jwksUrl: jwksUrl ?? `${issuer.replace(/\/+$/, '')}/.well-known/jwks.json`, rolesClaim: rolesClaim ?? 'roles' };
  }
  if (userPoolId !== undefined) {
    const poolIssuer = cognitoIssuerOf(userPoolId);
    return { source: 'user-pool', issuer: poolIssuer, audience, jwksUrl: `${poolIssuer}/.well-known/jwks.json`, rolesClaim: rolesClaim ?? COGNITO_GROUPS_CLAIM };
  }
  return { source: 'stack-pool', rolesClaim: rolesClaim ?? COGNITO_GROUPS_CLAIM };
}

/** The parsed configuration, defaults applied. */
export type AssentConfig = z.output<typeof AssentConfigSchema>;
/** What cdk.json may hold (defaults optional). */
export type AssentConfigInput = z.input<typeof AssentConfigSchema>;

/** Where a configuration comes from, as its messages name it. */
export interface ConfigSource {
  /** The first line of the error. */
  readonly title: string;
  /** A key as the messages name it: `at('senderEmail')` → `cdk.json context assent.senderEmail`; `at('')`: the whole object. */
  readonly at: (key: string) => string;
  /** What to add when the configuration is missing or not an object. */
  readonly howToAdd: string;
}

/** cdk.json's `context.assent` (or `-c assent=...`). */
export const CDK_CONTEXT: ConfigSource = {
  title: `Invalid Assent configuration in cdk.json ("context" → "${CONFIG_CONTEXT_KEY}"):`,
  at: (key) => `cdk.json context ${CONFIG_CONTEXT_KEY}${key ? `.${key}` : ''}`,
  howToAdd: `add "${CONFIG_CONTEXT_KEY}": { "senderEmail": ..., "sesIdentity": ..., "operators": [...] } under "context" in cdk.json`,
};

/** The configuration is missing or invalid; `problems` holds one line per bad key. */
export class AssentConfigError extends Error {
  override readonly name = 'AssentConfigError';
  constructor(
    readonly problems: readonly string[],
    options?: { cause?: unknown; source?: ConfigSource },
  ) {
    super([(options?.source ?? CDK_CONTEXT).title, ...problems.map((problem) => `  - ${problem}`), 'See docs/deploying.md, "Configure".'].join('\n'), options);
  }
}

/**
 * The most the task type overrides may take as JSON: Lambda allows 4 KB of environment variables
 * per function in all, and the other variables take up to about 1.7 KB (test/infra/assent-stack.test.ts measures them).
 */
export const MAX_TASK_TYPE_OVERRIDES_CHARS = 2048;

const formatIssues = (issues: readonly z.core.$ZodIssue[], source: ConfigSource, knownKeys: readonly string[]): string[] => {
  const lines: string[] = [];
  for (const issue of issues) {
    const key = issue.path.map(String).join('.');
    const line =
      issue.code === 'unrecognized_keys' && issue.path.length === 0
        ? `${source.at(key)}: unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}; remove ${issue.keys.length > 1 ? 'them' : 'it'} or fix the spelling (known keys: ${knownKeys.join(', ')})`
        : issue.code === 'unrecognized_keys'
          ? issue.keys.map((k) => `${source.at(key ? `${key}.${k}` : k)}: unknown key; remove it or fix the spelling`).join('\n')
          : `${source.at(key)}: ${issue.message}`;
    for (const one of line.split('\n')) if (!lines.includes(one)) lines.push(one);
  }
  return lines;
};

/** `adminEmails` meant approvers and operators; it is `operators` now, and approvers come from the approval policies. */
function renamedKeys(value: Record<string, unknown>, source: ConfigSource): { value: Record<string, unknown>; problems: string[] } {
  if (!('adminEmails' in value)) return { value, problems: [] };
  const { adminEmails, ...rest } = value;
  return {
    value: { ...rest, operators: rest.operators ?? adminEmails },
    problems: [
      `${source.at('adminEmails')}: was renamed "operators", and now names only who gets notifications (errors, stuck tasks, bounces), never approval emails: rename the key to "operators". Approvers come from each task type's approval policy (by default the user pool's group "admin"); to have an address approve a type, give it in taskTypes.<type>.approval (docs/deploying.md, "Task type overrides")`,
    ],
  };
}

/** Parses a configuration object (or its JSON) with `schema`, then checks its task type overrides against `taskTypes`. */
function parseConfig<S extends z.ZodType<{ taskTypes: TaskTypeOverridesInput }>>(schema: S, knownKeys: readonly string[], raw: unknown, source: ConfigSource, taskTypes: readonly TaskType[]): z.output<S> {
  let value = raw;
  if (typeof raw === 'string') {
    try {
      value = JSON.parse(raw);
    } catch (cause) {
      throw new AssentConfigError([`${source.at('')}: must be a JSON object (got a string that is not JSON)`], { cause, source });
    }
  }
  if (!isObject(value)) {
    throw new AssentConfigError([`${source.at('')}: ${value === undefined ? 'is missing' : 'must be an object'}; ${source.howToAdd}`], { source });
  }
  const renamed = renamedKeys(value, source);
  const result = schema.safeParse(renamed.value, { error: configIssueMessage });
  const problems = [...renamed.problems, ...(result.success ? [] : formatIssues(result.error.issues, source, knownKeys))];
  // The overrides against the declared task types, unless their own keys failed already.
  if (result.success || !result.error.issues.some((issue) => issue.path[0] === 'taskTypes' || issue.path[0] === 'rateLimits')) {
    const overrides = result.success ? result.data.taskTypes : foldRateLimits((renamed.value.taskTypes ?? {}) as TaskTypeOverridesInput, (renamed.value.rateLimits ?? {}) as Record<string, object>);
    problems.push(...resolveTaskTypeOverrides(taskTypes, overrides).problems.map((problem) => source.at(problem)));
  }
  if (problems.length > 0) throw new AssentConfigError(problems, { source, ...(result.success ? {} : { cause: result.error }) });
  return result.data as z.output<S>;
}

/**
 * Parses the `assent` context value (an object, or a JSON string when passed with `-c`), and checks
 * its task type overrides against the declared task types (functions/task-types.ts).
 * @throws AssentConfigError naming each bad key and how to fix it
 */
export function parseAssentConfig(raw: unknown, options: { readonly taskTypes?: readonly TaskType[] } = {}): AssentConfig {
  const config = parseConfig(AssentConfigSchema, ConfigObjectSchema.keyof().options, raw, CDK_CONTEXT, options.taskTypes ?? declaredTaskTypes);
  // Lambda refuses a function whose environment passes 4 KB: say so at synth, not at deploy.
  const size = JSON.stringify(config.taskTypes).length;
  if (size > MAX_TASK_TYPE_OVERRIDES_CHARS) {
    throw new AssentConfigError([
      `${CDK_CONTEXT.at('taskTypes')}: takes ${size} characters as JSON, more than the ${MAX_TASK_TYPE_OVERRIDES_CHARS} the functions' environment leaves for it (Lambda allows 4 KB in all): override fewer settings, or change long email templates in functions/task-types.ts instead`,
    ]);
  }
  return config;
}

/**
 * Parses a local configuration (`ASSENT_CONFIG`, see local/config.ts) with the same keys and checks.
 * @throws AssentConfigError naming each bad key, as `source` names them
 */
export function parseLocalConfig(raw: unknown, source: ConfigSource, options: { readonly taskTypes?: readonly TaskType[] } = {}): LocalAssentConfig {
  return parseConfig(LocalConfigSchema, LocalObjectSchema.keyof().options, raw, source, options.taskTypes ?? declaredTaskTypes);
}
