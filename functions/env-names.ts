/**
 * Names of the environment variables the functions read. CDK bindings and the local stack set them;
 * `functions/env.ts` reads each once. AWS endpoints are never here: the SDK reads
 * `AWS_ENDPOINT_URL_DYNAMODB`, `AWS_ENDPOINT_URL_SFN`, `AWS_ENDPOINT_URL_SES` and
 * `AWS_ENDPOINT_URL_EVENTBRIDGE`, `AWS_ENDPOINT_URL_S3` and `AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER` itself.
 */
export const ENV = {
  tableName: 'ASSENT_TABLE_NAME',
  stateMachineArn: 'ASSENT_STATE_MACHINE_ARN',
  mailFrom: 'ASSENT_MAIL_FROM',
  /** Operators (comma-separated): who gets notifications (errors, stuck tasks, bounces), never approval emails. */
  operatorEmails: 'ASSENT_OPERATOR_EMAILS',
  publicUrl: 'ASSENT_PUBLIC_URL',
  jwtIssuer: 'ASSENT_JWT_ISSUER',
  jwtAudience: 'ASSENT_JWT_AUDIENCE',
  jwksUrl: 'ASSENT_JWKS_URL',
  rolesClaim: 'ASSENT_JWT_ROLES_CLAIM',
  ttlMinutes: 'ASSENT_TTL_MINUTES',
  trackActions: 'ASSENT_TRACK_ACTIONS',
  eventBusName: 'ASSENT_EVENT_BUS_NAME',
  /**
   * JSON: the deployment's task type overrides, `taskTypes` of the configuration
   * (`{"sign-up":{"tokenTtlSeconds":3600}}`, functions/core/task-type-overrides.ts), applied when a
   * function builds its registry. Optional: unset, the declared task types as they are.
   */
  taskTypeOverrides: 'ASSENT_TASK_TYPE_OVERRIDES',
  /**
   * The SES configuration set every email is sent with (its bounces and complaints reach the
   * operators through functions/streams/mail-feedback.ts). Optional: local mode has none.
   */
  mailConfigurationSet: 'ASSENT_MAIL_CONFIGURATION_SET',
  /**
   * The Cognito user pool the example actions' directory keeps accounts in (functions/adapters/cognito/);
   * locally cognito-local's, reached through `AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER`.
   */
  userPoolId: 'ASSENT_USER_POOL_ID',
  /** The archive bucket; only the archiver (functions/streams/archive.ts) needs it. */
  archiveBucket: 'ASSENT_ARCHIVE_BUCKET',
} as const;
