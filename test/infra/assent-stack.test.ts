import { readFileSync } from 'node:fs';
import { Match } from 'aws-cdk-lib/assertions';
import { FUNCTION_ENV } from '../../functions/app.ts';
import { ENV } from '../../functions/env-names.ts';
import { DEFAULT_ROUTE_KEY, routeKey, routes } from '../../functions/http/routes.ts';
import { PROJECT_ROOT } from '../../lib/assent-stack.ts';
import { AssentConfigError, MAX_TASK_TYPE_OVERRIDES_CHARS } from '../../lib/config.ts';
import { HANDLER_BUNDLING } from '../../lib/constructs/handler-function.ts';
import { ACCESS_LOG_FORMAT } from '../../lib/constructs/http-api.ts';
import { tableDefinition } from '../../lib/table-definition.ts';
import {
  actionsOf,
  getAttOf,
  logicalIdOf,
  refOf,
  resourcesOf,
  type Statement,
  type Synthesized,
  statementsOf,
  synthesize,
} from './fixtures.ts';

const ASL_FILE = `${PROJECT_ROOT}/stepfunctions/task-workflow.asl.json`;

let synthesized: Synthesized;
beforeAll(() => {
  synthesized = synthesize();
});

/** `<table ARN>/index/<name>` as synthesized. */
const indexArn = (name: string) => ({
  'Fn::Join': ['', [getAttOf(synthesized.stack.table.table, 'Arn'), `/index/${name}`]],
});

/** `arn:<partition>:ses:<region>:<account>:identity/<identity>` as synthesized. */
const sesIdentityArn = (identity: string) => ({
  'Fn::Join': [
    '',
    ['arn:', { Ref: 'AWS::Partition' }, ':ses:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, `:identity/${identity}`],
  ],
});

/** `arn:<partition>:ses:<region>:<account>:configuration-set/<name>` of the mailer's configuration set. */
const configurationSetArn = (configurationSet = synthesized.stack.mailer.configurationSet) => ({
  'Fn::Join': [
    '',
    ['arn:', { Ref: 'AWS::Partition' }, ':ses:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, ':configuration-set/', refOf(configurationSet)],
  ],
});

/** `https://cognito-idp.<region>.<url suffix>/<pool id>` of the stack-created pool, as synthesized. */
const poolIssuer = () => ({
  'Fn::Join': ['', ['https://cognito-idp.', { Ref: 'AWS::Region' }, '.', { Ref: 'AWS::URLSuffix' }, '/', refOf(synthesized.stack.identity.userPool)]] as [string, unknown[]],
});

const statementsWith = (statements: Statement[], prefix: string) =>
  statements.filter((statement) => actionsOf(statement).some((action) => action.startsWith(prefix)));

describe('TaskTable', () => {
  it('has the keys, indexes (projecting only what lists filter on), TTL and stream of lib/table-definition.ts', () => {
    // Prepare
    const { template } = synthesized;

    // Act
    const tables = template.findResources('AWS::DynamoDB::Table');

    // Assess
    expect(Object.keys(tables)).toHaveLength(1);
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
      AttributeDefinitions: Match.arrayWith([
        { AttributeName: 'pk', AttributeType: 'S' },
        { AttributeName: 'sk', AttributeType: 'S' },
      ]),
      GlobalSecondaryIndexes: tableDefinition.indexes.map((index) => ({
        IndexName: index.name,
        KeySchema: [
          { AttributeName: index.partitionKey, KeyType: 'HASH' },
          { AttributeName: index.sortKey, KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: 'INCLUDE', NonKeyAttributes: ['type', 'createdBy', 'acknowledged'] },
      })),
      TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
      StreamSpecification: { StreamViewType: 'NEW_AND_OLD_IMAGES' },
    });
  });

  it('adds one index to those of the last release (byScope, keyed gsi4pk with the byCreated sort key): CloudFormation creates one GSI per table per update', () => {
    // Prepare: the indexes deployed tables have. Add a new one here once a release that creates it has shipped.
    const released = ['byStatus', 'byType', 'byCreated'];
    const { template } = synthesized;

    // Act
    const [table] = Object.values(template.findResources('AWS::DynamoDB::Table')) as { Properties: { GlobalSecondaryIndexes: { IndexName: string }[] } }[];
    const indexes = table?.Properties.GlobalSecondaryIndexes ?? [];

    // Assess
    expect(indexes.map((index) => index.IndexName).filter((name) => !released.includes(name))).toStrictEqual(['byScope']);
    expect(indexes.find((index) => index.IndexName === 'byScope')).toStrictEqual({
      IndexName: 'byScope',
      KeySchema: [
        { AttributeName: 'gsi4pk', KeyType: 'HASH' },
        { AttributeName: 'gsi3sk', KeyType: 'RANGE' },
      ],
      Projection: { ProjectionType: 'INCLUDE', NonKeyAttributes: ['type', 'createdBy', 'acknowledged'] },
    });
  });

  it('is on demand, with point-in-time recovery, deletion protection and AWS-managed encryption, and is retained', () => {
    // Prepare
    const { template } = synthesized;

    // Act & Assess
    template.hasResource('AWS::DynamoDB::Table', {
      Properties: Match.objectLike({
        BillingMode: 'PAY_PER_REQUEST',
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        DeletionProtectionEnabled: true,
        SSESpecification: { SSEEnabled: true },
      }),
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
    });
  });
});

describe('handler functions', () => {
  it.each([
    ['http', 29],
    ['steps', 60],
  ] as const)('runs the %s group on nodejs22.x arm64 with X-Ray, 512 MiB and a %i s timeout', (name, timeout) => {
    // Prepare
    const { template, stack } = synthesized;
    const handler = stack.handlers[name];

    // Act
    const fn = template.findResources('AWS::Lambda::Function')[logicalIdOf(handler.function)];

    // Assess
    expect(fn?.Properties).toMatchObject({
      Runtime: 'nodejs22.x',
      Architectures: ['arm64'],
      TracingConfig: { Mode: 'Active' },
      MemorySize: 512,
      Timeout: timeout,
      Handler: 'index.handler',
      LoggingConfig: { LogGroup: refOf(handler.logGroup) },
    });
  });

  it('runs on the Node.js major the tests run on, which is the devDependency node@22 (npm puts it first on PATH)', () => {
    // Prepare
    const { template } = synthesized;
    const devDependency = (JSON.parse(readFileSync(`${PROJECT_ROOT}/package.json`, 'utf8')) as { devDependencies: Record<string, string> }).devDependencies.node;

    // Act
    const runtimes = [...new Set(Object.values(template.findResources('AWS::Lambda::Function')).map((fn) => fn.Properties.Runtime))];

    // Assess
    const major = process.versions.node.split('.')[0];
    expect({ runtimes, target: HANDLER_BUNDLING.target, devDependency: devDependency?.replace(/^\^/, '').split('.')[0] }).toStrictEqual({
      runtimes: [`nodejs${major}.x`],
      target: `node${major}`,
      devDependency: major,
    });
  });

  it('gives the http function every setting it reads, from the bindings', () => {
    // Prepare
    const { template, stack } = synthesized;

    // Act
    const fn = template.findResources('AWS::Lambda::Function')[logicalIdOf(stack.handlers.http.function)];

    // Assess
    expect(fn?.Properties.Environment.Variables).toStrictEqual({
      POWERTOOLS_SERVICE_NAME: 'assent',
      POWERTOOLS_LOG_LEVEL: 'INFO',
      POWERTOOLS_TRACER_CAPTURE_RESPONSE: 'false',
      ASSENT_TABLE_NAME: refOf(stack.table.table),
      ASSENT_USER_POOL_ID: refOf(stack.identity.userPool),
      ASSENT_STATE_MACHINE_ARN: refOf(stack.workflow.stateMachine),
      ASSENT_MAIL_FROM: 'noreply@example.com',
      ASSENT_OPERATOR_EMAILS: 'ops@example.com',
      ASSENT_MAIL_CONFIGURATION_SET: refOf(stack.mailer.configurationSet),
      ASSENT_PUBLIC_URL: getAttOf(stack.httpApi.api, 'ApiEndpoint'),
      ASSENT_JWT_ISSUER: poolIssuer(),
      ASSENT_JWT_AUDIENCE: refOf(stack.identity.client as NonNullable<typeof stack.identity.client>),
      ASSENT_JWKS_URL: { 'Fn::Join': ['', [...poolIssuer()['Fn::Join'][1], '/.well-known/jwks.json']] },
      ASSENT_JWT_ROLES_CLAIM: 'cognito:groups',
      ASSENT_TTL_MINUTES: '1440',
      ASSENT_TRACK_ACTIONS: 'true',
      ASSENT_EVENT_BUS_NAME: refOf(stack.events.bus),
      ASSENT_ARCHIVE_BUCKET: refOf(stack.archive.bucket),
    });
  });

  it('does not give the steps function the state machine ARN, which would make a dependency cycle', () => {
    // Prepare
    const { template, stack } = synthesized;

    // Act
    const fn = template.findResources('AWS::Lambda::Function')[logicalIdOf(stack.handlers.steps.function)];

    // Assess
    expect(Object.keys(fn?.Properties.Environment.Variables).sort()).toStrictEqual(
      [
        'POWERTOOLS_SERVICE_NAME',
        'POWERTOOLS_LOG_LEVEL',
        'POWERTOOLS_TRACER_CAPTURE_RESPONSE',
        'ASSENT_TABLE_NAME',
        'ASSENT_USER_POOL_ID',
        'ASSENT_MAIL_FROM',
        'ASSENT_OPERATOR_EMAILS',
        'ASSENT_MAIL_CONFIGURATION_SET',
        'ASSENT_PUBLIC_URL',
        'ASSENT_JWT_ISSUER',
        'ASSENT_JWT_AUDIENCE',
        'ASSENT_JWKS_URL',
        'ASSENT_JWT_ROLES_CLAIM',
        'ASSENT_TTL_MINUTES',
        'ASSENT_TRACK_ACTIONS',
        'ASSENT_EVENT_BUS_NAME',
      ].sort(),
    );
  });

  it('uses publicUrl from the config for links when it is set', () => {
    // Prepare
    const { template, stack } = synthesize({ publicUrl: 'https://assent.example.com/' });

    // Act
    const functions = template.findResources('AWS::Lambda::Function');

    // Assess
    for (const handler of [stack.handlers.http, stack.handlers.steps]) {
      expect(functions[logicalIdOf(handler.function)]?.Properties.Environment.Variables.ASSENT_PUBLIC_URL).toBe(
        'https://assent.example.com',
      );
    }
  });
});

describe('function environments', () => {
  it('set every variable each function reads (FUNCTION_ENV, less the optional ones), from the bindings', () => {
    // Prepare
    const { template, stack } = synthesized;
    const functions = { http: stack.handlers.http, steps: stack.handlers.steps, outbox: stack.recovery.outbox, reconcile: stack.recovery.reconciler, mailFeedback: stack.mailFeedback.handler };
    const optional: readonly string[] = [ENV.rolesClaim, ENV.taskTypeOverrides];

    // Act
    const missing = (Object.keys(FUNCTION_ENV) as (keyof typeof FUNCTION_ENV)[]).flatMap((role) => {
      const variables = template.findResources('AWS::Lambda::Function')[logicalIdOf(functions[role].function)]?.Properties.Environment.Variables ?? {};
      return FUNCTION_ENV[role].map((key) => ENV[key]).filter((name) => !optional.includes(name) && !(name in variables)).map((name) => `${role}: ${name}`);
    });

    // Assess
    expect(missing).toStrictEqual([]);
  });
});

describe('task type overrides', () => {
  const variablesOf = (synthesized: Synthesized) => {
    const { stack, template } = synthesized;
    const functions = { http: stack.handlers.http, steps: stack.handlers.steps, outbox: stack.recovery.outbox, reconcile: stack.recovery.reconciler, mailFeedback: stack.mailFeedback.handler, archiver: stack.archive.handler };
    return Object.fromEntries(Object.entries(functions).map(([role, handler]) => [role, template.findResources('AWS::Lambda::Function')[logicalIdOf(handler.function)]?.Properties.Environment.Variables]));
  };

  it('passes taskTypes, with rateLimits folded in as limits, to every function that builds the registry, and nothing by default', () => {
    // Prepare
    const taskTypes = { 'sign-up': { tokenTtlSeconds: 3600, approval: { levels: [{ name: 'admins', quorum: 2 }] } } };
    const rateLimits = { 'reset-password': { perClient: { max: 100, windowSeconds: 3600 } } };

    // Act
    const configured = variablesOf(synthesize({ taskTypes, rateLimits }));
    const unconfigured = variablesOf(synthesized);

    // Assess
    const expected = JSON.stringify({ ...taskTypes, 'reset-password': { limits: rateLimits['reset-password'] } });
    expect(Object.fromEntries(Object.entries(configured).map(([role, variables]) => [role, variables[ENV.taskTypeOverrides]]))).toStrictEqual({
      http: expected,
      steps: expected,
      outbox: expected,
      reconcile: expected,
      mailFeedback: expected,
      archiver: undefined,
    });
    expect(Object.values(unconfigured).map((variables) => variables[ENV.taskTypeOverrides])).toStrictEqual([undefined, undefined, undefined, undefined, undefined, undefined]);
  });

  it('fails the synth on a bad override, naming its path', () => {
    // Act
    const attempt = () => synthesize({ taskTypes: { 'quota-change': { approval: { levels: [{ name: 'finance', quorum: 2 }] }, tokenTtlSeconds: -1 } } });

    // Assess
    expect(attempt).toThrow(
      new AssentConfigError([
        'cdk.json context assent.taskTypes.quota-change.tokenTtlSeconds: must be more than 0 (got -1)',
        'cdk.json context assent.taskTypes.quota-change.approval.levels.0.name: the type declares no level "finance" (its levels: admins, security)',
      ]),
    );
  });

  it('leaves room for the largest overrides allowed in the 4 KB Lambda gives a function\'s environment', () => {
    // Prepare: a reference (a table name, an ARN, a URL) is at most 128 characters once deployed.
    const variables = variablesOf(synthesized).http as Record<string, unknown>;

    // Act
    const others = Object.entries(variables).reduce((size, [name, value]) => size + name.length + (typeof value === 'string' ? value.length : 128), 0);

    // Assess
    expect(others + ENV.taskTypeOverrides.length + MAX_TASK_TYPE_OVERRIDES_CHARS).toBeLessThanOrEqual(4096);
  });
});

describe('log groups', () => {
  it('keeps every log group for logRetentionDays', () => {
    // Prepare
    const { template, stack } = synthesize({ logRetentionDays: 90 });

    // Act
    const groups = template.findResources('AWS::Logs::LogGroup');

    // Assess
    expect(Object.keys(groups).sort()).toStrictEqual(
      [
        stack.handlers.http.logGroup,
        stack.handlers.steps.logGroup,
        stack.workflow.logGroup,
        stack.httpApi.accessLogGroup,
        stack.events.logGroup,
        stack.archive.handler.logGroup,
        stack.recovery.outbox.logGroup,
        stack.recovery.reconciler.logGroup,
        stack.mailFeedback.handler.logGroup,
      ]
        .map(logicalIdOf)
        .sort(),
    );
    for (const group of Object.values(groups)) expect(group.Properties.RetentionInDays).toBe(90);
  });
});

describe('TaskWorkflow', () => {
  it('is a Standard state machine with X-Ray and ALL-level logging without execution data', () => {
    // Prepare
    const { template, stack } = synthesized;

    // Act & Assess
    template.hasResourceProperties('AWS::StepFunctions::StateMachine', {
      StateMachineType: 'STANDARD',
      TracingConfiguration: { Enabled: true },
      LoggingConfiguration: {
        Level: 'ALL',
        IncludeExecutionData: false,
        Destinations: [{ CloudWatchLogsLogGroup: { LogGroupArn: getAttOf(stack.workflow.logGroup, 'Arn') } }],
      },
      DefinitionS3Location: Match.objectLike({ Key: Match.stringLikeRegexp('\\.json$') }),
      DefinitionString: Match.absent(),
    });
  });

  it('substitutes exactly the placeholders of the ASL file', () => {
    // Prepare
    const asl = readFileSync(ASL_FILE, 'utf8');
    const placeholders = [...new Set([...asl.matchAll(/\$\{([^}]+)\}/g)].map((match) => match[1]))].sort();
    const { template, stack } = synthesized;

    // Act
    const [machine] = Object.values(template.findResources('AWS::StepFunctions::StateMachine'));

    // Assess
    expect(placeholders).toStrictEqual(['StepsFunctionArn']);
    expect(Object.keys(machine?.Properties.DefinitionSubstitutions).sort()).toStrictEqual(placeholders);
    expect(machine?.Properties.DefinitionSubstitutions).toStrictEqual({
      StepsFunctionArn: getAttOf(stack.handlers.steps.function, 'Arn'),
    });
  });

  it('has a retry and a timeout on every Task state of the ASL file', () => {
    // Prepare
    const asl = JSON.parse(readFileSync(ASL_FILE, 'utf8')) as {
      States: Record<string, { Type: string; Retry?: { ErrorEquals: string[] }[]; TimeoutSeconds?: number; TimeoutSecondsPath?: string }>;
    };

    // Act
    const tasks = Object.entries(asl.States).filter(([, state]) => state.Type === 'Task');

    // Assess
    expect(tasks.length).toBeGreaterThan(0);
    for (const [name, state] of tasks) {
      const retried = (state.Retry ?? []).flatMap((retrier) => retrier.ErrorEquals);
      expect({ name, retriesLambdaErrors: retried.includes('Lambda.ServiceException') || retried.includes('States.ALL') }).toStrictEqual({
        name,
        retriesLambdaErrors: true,
      });
      expect({ name, hasTimeout: state.TimeoutSeconds !== undefined || state.TimeoutSecondsPath !== undefined }).toStrictEqual({
        name,
        hasTimeout: true,
      });
    }
  });

  it('lets the state machine invoke the steps function and no other', () => {
    // Prepare
    const { template, stack } = synthesized;

    // Act
    const statements = statementsOf(template, stack.workflow.stateMachine.role);

    // Assess
    expect(statementsWith(statements, 'lambda:')).toStrictEqual([
      { Effect: 'Allow', Action: 'lambda:InvokeFunction', Resource: getAttOf(stack.handlers.steps.function, 'Arn') },
    ]);
    expect(statements.flatMap(actionsOf).filter((action) => !/^(logs|xray):/.test(action))).toStrictEqual([
      'lambda:InvokeFunction',
    ]);
  });
});

describe('IAM of the http function', () => {
  let statements: Statement[];
  beforeAll(() => {
    statements = statementsOf(synthesized.template, synthesized.stack.handlers.http.role);
  });

  it('grants the DynamoDB item actions the adapters send on the table, and Query only on its indexes', () => {
    // Prepare
    const table = synthesized.stack.table.table;

    // Act
    const dynamo = statementsWith(statements, 'dynamodb:');

    // Assess
    const byJson = (a: unknown, b: unknown) => JSON.stringify(a).localeCompare(JSON.stringify(b));
    expect(dynamo).toStrictEqual([
      {
        Effect: 'Allow',
        Action: ['dynamodb:BatchGetItem', 'dynamodb:DeleteItem', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query', 'dynamodb:UpdateItem'],
        Resource: getAttOf(table, 'Arn'),
      },
      { Effect: 'Allow', Action: 'dynamodb:Query', Resource: expect.any(Array) },
    ]);
    expect([...resourcesOf(dynamo[1] as Statement)].sort(byJson)).toStrictEqual(tableDefinition.indexes.map((index) => indexArn(index.name)).sort(byJson));
  });

  it('grants StartExecution on the state machine only, and Stop/Describe on its executions only', () => {
    // Prepare
    const machine = synthesized.stack.workflow.stateMachine;

    // Act
    const start = statements.filter((statement) => actionsOf(statement).includes('states:StartExecution'));
    const executions = statements.filter((statement) => actionsOf(statement).includes('states:DescribeExecution'));

    // Assess
    expect(start).toStrictEqual([{ Effect: 'Allow', Action: 'states:StartExecution', Resource: refOf(machine) }]);
    expect(executions).toStrictEqual([
      {
        Effect: 'Allow',
        Action: ['states:DescribeExecution', 'states:StopExecution'],
        Resource: {
          'Fn::Join': [
            '',
            [
              'arn:',
              { Ref: 'AWS::Partition' },
              ':states:',
              { Ref: 'AWS::Region' },
              ':',
              { Ref: 'AWS::AccountId' },
              ':execution:',
              getAttOf(machine, 'Name'),
              ':*',
            ],
          ],
        },
      },
    ]);
  });

  it('grants ses:SendEmail (not SendRawEmail, which the mailer never calls) on the configured identity and the configuration set only', () => {
    // Act
    const ses = statementsWith(statements, 'ses:');

    // Assess
    expect(ses).toStrictEqual([{ Effect: 'Allow', Action: 'ses:SendEmail', Resource: [configurationSetArn(), sesIdentityArn('example.com')] }]);
  });

  it('uses "*" only for actions that have no resource-level permissions, and no wildcard action', () => {
    // Act
    const onAnyResource = statements.filter((statement) => resourcesOf(statement).includes('*')).flatMap(actionsOf);

    // Assess
    expect(onAnyResource.sort()).toStrictEqual(
      [
        'states:SendTaskFailure',
        'states:SendTaskHeartbeat',
        'states:SendTaskSuccess',
        'xray:PutTelemetryRecords',
        'xray:PutTraceSegments',
      ].sort(),
    );
    expect(statements.flatMap(actionsOf).filter((action) => action.includes('*'))).toStrictEqual([]);
  });

  it('lets the function write to its own log group only', () => {
    // Act
    const logs = statementsWith(statements, 'logs:');

    // Assess
    expect(logs).toStrictEqual([
      {
        Effect: 'Allow',
        Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        Resource: getAttOf(synthesized.stack.handlers.http.logGroup, 'Arn'),
      },
    ]);
    expect(synthesized.template.findResources('AWS::IAM::Role')[logicalIdOf(synthesized.stack.handlers.http.role)]?.Properties.ManagedPolicyArns).toBeUndefined();
  });
});

describe('IAM of the steps function', () => {
  it('answers task tokens but cannot start, stop or describe executions', () => {
    // Prepare
    const { template, stack } = synthesized;

    // Act
    const actions = statementsOf(template, stack.handlers.steps.role).flatMap(actionsOf);

    // Assess
    expect(actions.filter((action) => action.startsWith('states:')).sort()).toStrictEqual([
      'states:SendTaskFailure',
      'states:SendTaskHeartbeat',
      'states:SendTaskSuccess',
    ]);
  });

  it('adds the SES sandbox recipients to the send grant when configured', () => {
    // Prepare
    const { template, stack } = synthesize({ sesSandboxRecipients: ['approver@example.com'] });

    // Act
    const ses = statementsWith(statementsOf(template, stack.handlers.steps.role), 'ses:');

    // Assess
    expect(ses).toHaveLength(1);
    expect(actionsOf(ses[0] as Statement)).toStrictEqual(['ses:SendEmail']);
    expect(resourcesOf(ses[0] as Statement)).toHaveLength(3);
    expect(resourcesOf(ses[0] as Statement)).toEqual(
      expect.arrayContaining([sesIdentityArn('example.com'), sesIdentityArn('approver@example.com'), configurationSetArn(stack.mailer.configurationSet)]),
    );
  });
});

describe('HttpApi', () => {
  it('has a JWT authorizer with the stack-created pool\'s issuer and its app client as the audience', () => {
    // Prepare
    const { template, stack } = synthesized;

    // Act & Assess
    template.resourceCountIs('AWS::ApiGatewayV2::Authorizer', 1);
    template.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', {
      AuthorizerType: 'JWT',
      IdentitySource: ['$request.header.Authorization'],
      JwtConfiguration: { Issuer: poolIssuer(), Audience: [refOf(stack.identity.client as NonNullable<typeof stack.identity.client>)] },
    });
  });

  it('has one route per entry of routes.ts and a $default route, the JWT authorizer on exactly the jwt routes', () => {
    // Prepare
    const { template } = synthesized;
    const [authorizerId] = Object.keys(template.findResources('AWS::ApiGatewayV2::Authorizer'));

    // Act
    const synthesizedRoutes = Object.values(template.findResources('AWS::ApiGatewayV2::Route')).map((route) => ({
      key: route.Properties.RouteKey,
      type: route.Properties.AuthorizationType,
      authorizer: route.Properties.AuthorizerId,
    }));

    // Assess
    expect(synthesizedRoutes.sort((a, b) => a.key.localeCompare(b.key))).toStrictEqual(
      [
        ...routes.map((route) => ({
          key: routeKey(route),
          type: route.auth === 'jwt' ? 'JWT' : 'NONE',
          authorizer: route.auth === 'jwt' ? { Ref: authorizerId } : undefined,
        })),
        { key: DEFAULT_ROUTE_KEY, type: 'NONE', authorizer: undefined },
      ].sort((a, b) => a.key.localeCompare(b.key)),
    );
  });

  it('sends the requests no route matches ($default) to the http function, whose 404 problem answers them', () => {
    // Prepare
    const { template, stack } = synthesized;
    const [integrationId] = Object.keys(template.findResources('AWS::ApiGatewayV2::Integration'));

    // Act
    const route = template.findResources('AWS::ApiGatewayV2::Route')[logicalIdOf(stack.httpApi.defaultRoute)];

    // Assess
    expect(route?.Properties).toStrictEqual({
      ApiId: refOf(stack.httpApi.api),
      RouteKey: '$default',
      AuthorizationType: 'NONE',
      Target: { 'Fn::Join': ['', ['integrations/', { Ref: integrationId }]] },
    });
  });

  it('integrates every route with the http function (payload 2.0)', () => {
    // Prepare
    const { template, stack } = synthesized;

    // Act & Assess
    template.resourceCountIs('AWS::ApiGatewayV2::Integration', 1);
    template.hasResourceProperties('AWS::ApiGatewayV2::Integration', {
      IntegrationType: 'AWS_PROXY',
      IntegrationUri: getAttOf(stack.handlers.http.function, 'Arn'),
      PayloadFormatVersion: '2.0',
    });
  });

  it('throttles the $default stage and writes access logs', () => {
    // Prepare
    const { template, stack } = synthesized;

    // Act & Assess
    template.resourceCountIs('AWS::ApiGatewayV2::Stage', 1);
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      StageName: '$default',
      AutoDeploy: true,
      DefaultRouteSettings: { ThrottlingRateLimit: 50, ThrottlingBurstLimit: 100 },
      AccessLogSettings: {
        DestinationArn: getAttOf(stack.httpApi.accessLogGroup, 'Arn'),
        Format: JSON.stringify(ACCESS_LOG_FORMAT),
      },
    });
  });

  it('has no CORS configuration and no custom domain by default', () => {
    // Act & Assess
    synthesized.template.hasResourceProperties('AWS::ApiGatewayV2::Api', {
      ProtocolType: 'HTTP',
      CorsConfiguration: Match.absent(),
    });
    synthesized.template.resourceCountIs('AWS::ApiGatewayV2::DomainName', 0);
    synthesized.template.resourceCountIs('AWS::ApiGatewayV2::ApiMapping', 0);
  });

  it('answers CORS for exactly the configured origins: the methods of the routes, the headers the handlers read, no credentials', () => {
    // Prepare
    const { template } = synthesize({ corsOrigins: ['https://admin.example.com', 'http://localhost:5173'] });

    // Act
    const [api] = Object.values(template.findResources('AWS::ApiGatewayV2::Api'));

    // Assess
    expect(api?.Properties.CorsConfiguration).toStrictEqual({
      AllowOrigins: ['https://admin.example.com', 'http://localhost:5173'],
      AllowMethods: ['DELETE', 'GET', 'POST', 'PUT', 'OPTIONS'],
      AllowHeaders: ['authorization', 'content-type', 'idempotency-key', 'if-match'],
      ExposeHeaders: ['location', 'retry-after', 'idempotent-replayed'],
      AllowCredentials: false,
      MaxAge: 3600,
    });
  });

  it('maps a configured custom domain (TLS 1.2, its certificate) to the $default stage, and links in emails use it', () => {
    // Prepare
    const certificateArn = 'arn:aws:acm:eu-west-1:123456789012:certificate/0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d';
    const { template, stack } = synthesize({ domainName: 'assent.example.com', certificateArn });

    // Act
    const mappings = Object.values(template.findResources('AWS::ApiGatewayV2::ApiMapping')).map((mapping) => mapping.Properties);
    const functions = template.findResources('AWS::Lambda::Function');
    const outputs = template.toJSON().Outputs as Record<string, { Value: unknown }>;

    // Assess
    template.hasResourceProperties('AWS::ApiGatewayV2::DomainName', {
      DomainName: 'assent.example.com',
      DomainNameConfigurations: [{ CertificateArn: certificateArn, EndpointType: 'REGIONAL', SecurityPolicy: 'TLS_1_2' }],
    });
    expect(mappings).toStrictEqual([{ ApiId: refOf(stack.httpApi.api), DomainName: refOf(stack.httpApi.domainName as NonNullable<typeof stack.httpApi.domainName>), Stage: '$default' }]);
    for (const handler of [stack.handlers.http, stack.handlers.steps, stack.recovery.outbox, stack.recovery.reconciler, stack.mailFeedback.handler]) {
      expect(functions[logicalIdOf(handler.function)]?.Properties.Environment.Variables.ASSENT_PUBLIC_URL).toBe('https://assent.example.com');
    }
    expect(outputs.CustomDomainTarget?.Value).toStrictEqual(getAttOf(stack.httpApi.domainName as NonNullable<typeof stack.httpApi.domainName>, 'RegionalDomainName'));
  });
});

describe('outputs', () => {
  it('exports the API URL, the user pool and its client, the table name, the state machine ARN, the event bus name, the archive bucket, the alarm topic and the configuration set', () => {
    // Prepare
    const { template, stack } = synthesized;

    // Act
    const outputs = template.toJSON().Outputs;

    // Assess
    expect(Object.fromEntries(Object.entries(outputs).map(([name, output]) => [name, (output as { Value: unknown }).Value]))).toStrictEqual({
      ApiUrl: getAttOf(stack.httpApi.api, 'ApiEndpoint'),
      UserPoolId: refOf(stack.identity.userPool),
      UserPoolClientId: refOf(stack.identity.client as NonNullable<typeof stack.identity.client>),
      TableName: refOf(stack.table.table),
      StateMachineArn: refOf(stack.workflow.stateMachine),
      EventBusName: refOf(stack.events.bus),
      ArchiveBucketName: refOf(stack.archive.bucket),
      AlarmTopicArn: refOf(stack.alarms.topic),
      MailConfigurationSetName: refOf(stack.mailer.configurationSet),
    });
  });
});
