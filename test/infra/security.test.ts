import { App, Stack, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { IConstruct } from 'constructs';
import { routeKey, routes } from '../../functions/http/routes.ts';
import { AssentHttpApi } from '../../lib/constructs/http-api.ts';
import { tableDefinition } from '../../lib/table-definition.ts';
import { actionsOf, cdkJson, getAttOf, logicalIdOf, refOf, resourcesOf, type Statement, type Synthesized, synthesize } from './fixtures.ts';

/**
 * Issue 5, point 5, what the other infra tests do not assert yet: every IAM statement of every role
 * in the stack is scoped to a resource of this stack (the table and its indexes or stream, the state
 * machine or its executions, the SES identity, the bucket, the bus, the queue, a log group, the steps
 * function, the user pool), "*" only for actions that have no resource type; access logs never
 * record a path (it may hold a one-time secret); the stage's throttling is not lifted per route;
 * cdk-nag acknowledgements are specific (one finding, one construct).
 */
let synthesized: Synthesized;
beforeAll(() => {
  synthesized = synthesize();
});

/** Actions the Service Authorization Reference lists without a resource type: they can only be granted on "*". */
const NO_RESOURCE_TYPE = [
  'dynamodb:ListStreams',
  'logs:CreateLogDelivery',
  'logs:DeleteLogDelivery',
  'logs:DescribeLogGroups',
  'logs:DescribeResourcePolicies',
  'logs:GetLogDelivery',
  'logs:ListLogDeliveries',
  'logs:PutResourcePolicy',
  'logs:UpdateLogDelivery',
  'states:SendTaskFailure',
  'states:SendTaskHeartbeat',
  'states:SendTaskSuccess',
  'xray:GetSamplingRules',
  'xray:GetSamplingTargets',
  'xray:PutTelemetryRecords',
  'xray:PutTraceSegments',
];

/** Which scope each action may be granted on. */
const ALLOWED_SCOPES: readonly [RegExp, readonly string[]][] = [
  [/^dynamodb:(BatchGetItem|DeleteItem|GetItem|PutItem|Query|UpdateItem)$/, ['table']],
  [/^dynamodb:Query$/, ['table index']],
  [/^dynamodb:(DescribeStream|GetRecords|GetShardIterator)$/, ['table stream']],
  [/^states:StartExecution$/, ['state machine']],
  [/^states:(DescribeExecution|StopExecution)$/, ['executions of the state machine']],
  [/^ses:SendEmail$/, ['SES identity', 'SES configuration set']],
  [/^events:PutEvents$/, ['event bus']],
  [/^s3:(GetObject|PutObject)$/, ['archive bucket, under archive/']],
  [/^sqs:(GetQueueAttributes|GetQueueUrl|SendMessage)$/, ['dead-letter queue']],
  [/^logs:(CreateLogStream|PutLogEvents)$/, ['own log group']],
  [/^lambda:InvokeFunction$/, ['steps function', 'reconciler function']],
  [/^cognito-idp:(Admin(AddUserToGroup|CreateUser|DeleteUser|DisableUser|EnableUser|GetUser|ListGroupsForUser|RemoveUserFromGroup|SetUserPassword|UpdateUserAttributes)|ListUsersInGroup)$/, ['user pool']],
];

interface Grant {
  readonly role: string;
  readonly action: string;
  readonly scope: string;
}

/** Every (role, action, resource) of every IAM policy in the template, the resource named by what it is. */
function grantsOf({ template, stack }: Synthesized): Grant[] {
  const functions = [stack.handlers.http, stack.handlers.steps, stack.archive.handler, stack.recovery.outbox, stack.recovery.reconciler, stack.mailFeedback.handler];
  const ownLogGroup = new Map(functions.map((handler) => [logicalIdOf(handler.role), JSON.stringify(getAttOf(handler.logGroup, 'Arn'))]));
  const table = getAttOf(stack.table.table, 'Arn');
  const machine = stack.workflow.stateMachine;
  const named: [unknown, string][] = [
    [table, 'table'],
    ...tableDefinition.indexes.map((index): [unknown, string] => [{ 'Fn::Join': ['', [table, `/index/${index.name}`]] }, 'table index']),
    [getAttOf(stack.table.table, 'StreamArn'), 'table stream'],
    [refOf(machine), 'state machine'],
    [{ 'Fn::Join': ['', [...arnPrefix('states'), ':execution:', getAttOf(machine, 'Name'), ':*']] }, 'executions of the state machine'],
    [{ 'Fn::Join': ['', [...arnPrefix('ses'), `:identity/${cdkJson.context.assent.sesIdentity}`]] }, 'SES identity'],
    [{ 'Fn::Join': ['', [...arnPrefix('ses'), ':configuration-set/', refOf(stack.mailer.configurationSet)]] }, 'SES configuration set'],
    [getAttOf(stack.events.bus, 'Arn'), 'event bus'],
    [{ 'Fn::Join': ['', [getAttOf(stack.archive.bucket, 'Arn'), '/archive/*']] }, 'archive bucket, under archive/'],
    [{ 'Fn::Join': ['', [getAttOf(stack.archive.bucket, 'Arn'), '/archive/index/tasks/*']] }, 'archive bucket, under archive/'],
    [getAttOf(stack.archive.deadLetterQueue, 'Arn'), 'dead-letter queue'],
    [getAttOf(stack.recovery.deadLetterQueue, 'Arn'), 'dead-letter queue'],
    [getAttOf(stack.mailFeedback.deadLetterQueue, 'Arn'), 'dead-letter queue'],
    // The reconciler's schedule invokes it (and CDK adds its versions, `<arn>:*`).
    [getAttOf(stack.recovery.reconciler.function, 'Arn'), 'reconciler function'],
    [{ 'Fn::Join': ['', [getAttOf(stack.recovery.reconciler.function, 'Arn'), ':*']] }, 'reconciler function'],
    [getAttOf(stack.handlers.steps.function, 'Arn'), 'steps function'],
    [getAttOf(stack.identity.userPool, 'Arn'), 'user pool'],
    ['*', '*'],
  ];
  const policies = Object.values(template.findResources('AWS::IAM::Policy')) as {
    Properties: { Roles: { Ref: string }[]; PolicyDocument: { Statement: Statement[] } };
  }[];
  return policies.flatMap((policy) =>
    policy.Properties.Roles.flatMap(({ Ref: role }) =>
      policy.Properties.PolicyDocument.Statement.flatMap((statement) =>
        actionsOf(statement).flatMap((action) =>
          resourcesOf(statement).map((resource) => {
            const json = JSON.stringify(resource);
            const scope = json === ownLogGroup.get(role) ? 'own log group' : (named.find(([known]) => JSON.stringify(known) === json)?.[1] ?? `unknown ${json}`);
            return { role, action: statement.Effect === 'Allow' ? action : `${statement.Effect} ${action}`, scope };
          }),
        ),
      ),
    ),
  );
}

/** `arn:<partition>:<service>:<region>:<account>` as CDK synthesizes it, before the resource part. */
const arnPrefix = (service: string) => ['arn:', { Ref: 'AWS::Partition' }, `:${service}:`, { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }];

describe('IAM of every role in the stack', () => {
  it('grants every action only on the resource of this stack it is for; "*" only for actions without a resource type', () => {
    // Act
    const grants = grantsOf(synthesized);
    const misplaced = grants.filter(({ action, scope }) => {
      if (scope === '*') return !NO_RESOURCE_TYPE.includes(action);
      return !ALLOWED_SCOPES.some(([pattern, scopes]) => pattern.test(action) && scopes.includes(scope));
    });

    // Assess
    expect(grants.length).toBeGreaterThan(40);
    expect(misplaced).toStrictEqual([]);
    expect(grants.filter(({ action }) => action.includes('*'))).toStrictEqual([]);
  });

  it('scopes the steps function like the http function: items of the table, Query on its indexes (not its stream), sending as the identity with the configuration set', () => {
    // Prepare
    const steps = logicalIdOf(synthesized.stack.handlers.steps.role);

    // Act
    const grants = grantsOf(synthesized).filter(({ role, action }) => role === steps && /^(dynamodb|ses):/.test(action));

    // Assess
    const items = ['BatchGetItem', 'DeleteItem', 'GetItem', 'PutItem', 'Query', 'UpdateItem'];
    expect(grants.map(({ action, scope }) => `${action} on ${scope}`).sort()).toStrictEqual(
      [
        ...items.map((item) => `dynamodb:${item} on table`),
        ...tableDefinition.indexes.map(() => 'dynamodb:Query on table index'),
        'ses:SendEmail on SES identity',
        'ses:SendEmail on SES configuration set',
      ].sort(),
    );
  });

  it('lets the mail feedback function read and write known items only (the task, its notification), send mail and reach its DLQ', () => {
    // Prepare
    const role = logicalIdOf(synthesized.stack.mailFeedback.handler.role);

    // Act
    const grants = grantsOf(synthesized).filter((grant) => grant.role === role && !/^(logs|xray):/.test(grant.action));

    // Assess
    expect(grants.map(({ action, scope }) => `${action} on ${scope}`).sort()).toStrictEqual(
      [
        'dynamodb:GetItem on table',
        'dynamodb:PutItem on table',
        'dynamodb:UpdateItem on table',
        'ses:SendEmail on SES identity',
        'ses:SendEmail on SES configuration set',
        'sqs:GetQueueAttributes on dead-letter queue',
        'sqs:GetQueueUrl on dead-letter queue',
        'sqs:SendMessage on dead-letter queue',
      ].sort(),
    );
  });

  it('grants no role ses:SendRawEmail (the mailer sends with SendEmail) and no table action the adapters never send', () => {
    // Act
    const actions = new Set(grantsOf(synthesized).map(({ action }) => action));

    // Assess
    expect(['ses:SendRawEmail', 'dynamodb:Scan', 'dynamodb:BatchWriteItem', 'dynamodb:ConditionCheckItem', 'dynamodb:DescribeTable'].filter((action) => actions.has(action))).toStrictEqual([]);
  });

  it('lets the state machine invoke the steps function and use "*" only for log delivery and tracing', () => {
    // Prepare
    const machine = logicalIdOf(synthesized.stack.workflow.stateMachine.role);

    // Act
    const grants = grantsOf(synthesized).filter(({ role }) => role === machine);

    // Assess
    expect(grants.filter(({ scope }) => scope !== '*')).toStrictEqual([{ role: machine, action: 'lambda:InvokeFunction', scope: 'steps function' }]);
    expect(grants.filter(({ scope }) => scope === '*').map(({ action }) => action).sort()).toStrictEqual(
      NO_RESOURCE_TYPE.filter((action) => /^(logs|xray):/.test(action)).sort(),
    );
  });

  it('attaches no managed policy and no inline policy to any role: every grant is in a policy checked above', () => {
    // Act
    const roles = Object.values(synthesized.template.findResources('AWS::IAM::Role')).map((role) => role.Properties);

    // Assess
    // The three functions' roles and the state machine's; the outbox's, the reconciler's and its schedule's; the mail feedback function's.
    expect(roles.length).toBe(8);
    expect(roles.map((role) => [role.ManagedPolicyArns, role.Policies])).toStrictEqual(roles.map(() => [undefined, undefined]));
  });
});

describe('HTTP API access logs', () => {
  it('record the route key, never the request path, query or headers (a path may hold a one-time secret)', () => {
    // Act
    const [stage] = Object.values(synthesized.template.findResources('AWS::ApiGatewayV2::Stage'));
    const format = JSON.parse(stage?.Properties.AccessLogSettings.Format) as Record<string, string>;

    // Assess
    expect(format.routeKey).toBe('$context.routeKey');
    expect(Object.values(format).filter((variable) => /path|querystring|header|body|authorization/i.test(variable))).toStrictEqual([]);
    expect(Object.values(format).every((variable) => /^\$context\.[A-Za-z.]+$/.test(variable))).toBe(true);
  });
});

describe('HTTP API throttling', () => {
  it('is not lifted for any route: no per-route settings on the one stage', () => {
    // Act
    const stages = Object.values(synthesized.template.findResources('AWS::ApiGatewayV2::Stage')).map((stage) => stage.Properties);

    // Assess
    expect(stages).toHaveLength(1);
    expect(stages[0]?.RouteSettings).toBeUndefined();
    expect(stages[0]?.DefaultRouteSettings).toStrictEqual({ ThrottlingRateLimit: 50, ThrottlingBurstLimit: 100 });
  });

  it('applies the throttle given to the construct', () => {
    // Prepare
    const stack = new Stack(new App(), 'Throttled');
    const handler = LambdaFunction.fromFunctionArn(stack, 'Handler', 'arn:aws:lambda:us-east-1:123456789012:function:assent-http');
    const jwt = { issuer: 'https://auth.example.com/', audience: ['assent'], jwksUrl: 'https://auth.example.com/jwks.json', rolesClaim: 'roles' };

    // Act
    new AssentHttpApi(stack, 'Api', { handler, routes, jwt, logRetention: RetentionDays.ONE_MONTH, throttle: { rateLimit: 5, burstLimit: 10 } });

    // Assess
    Template.fromStack(stack).hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      StageName: '$default',
      DefaultRouteSettings: { ThrottlingRateLimit: 5, ThrottlingBurstLimit: 10 },
    });
  });
});

interface Acknowledgement {
  readonly path: string;
  readonly id: string;
}

/** Every cdk-nag acknowledgement in the tree, with the path of the construct it is on. */
const acknowledgementsIn = (root: IConstruct): Acknowledgement[] =>
  root.node.findAll().flatMap((construct) =>
    construct.node.metadata
      .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      .flatMap((entry) => Object.keys(entry.data as Record<string, unknown>).map((id) => ({ path: construct.node.path, id: id.replace(/^annotation::/i, '') }))),
  );

describe('cdk-nag acknowledgements', () => {
  it('acknowledge wildcard resources one finding at a time (AwsSolutions-IAM5[Resource::…]), on a policy, never the whole rule', () => {
    // Act
    const iam5 = acknowledgementsIn(synthesized.app).filter(({ id }) => id.startsWith('AwsSolutions-IAM5'));

    // Assess
    expect(iam5.length).toBeGreaterThan(0);
    expect(iam5.filter(({ id }) => !/^AwsSolutions-IAM5\[Resource::.+\]$/.test(id))).toStrictEqual([]);
    expect(iam5.filter(({ path }) => !path.endsWith('/DefaultPolicy'))).toStrictEqual([]);
  });

  it('acknowledge a route without authorizer (AwsSolutions-APIG4) on exactly the public routes of routes.ts and $default', () => {
    // Prepare
    const { stack } = synthesized;
    const pathOf = (route: (typeof routes)[number]) => stack.httpApi.routes.get(routeKey(route))?.node.path;

    // Act
    const apig4 = acknowledgementsIn(synthesized.app).filter(({ id }) => id === 'AwsSolutions-APIG4').map(({ path }) => path);

    // Assess
    expect(apig4.sort()).toStrictEqual([...routes.filter((route) => route.auth === 'none').map(pathOf), stack.httpApi.defaultRoute.node.path].sort());
    expect(routes.filter((route) => route.auth === 'jwt').map(pathOf).filter((path) => path === undefined || apig4.includes(path))).toStrictEqual([]);
  });

  it('are never made on the app or the whole stack', () => {
    // Act
    const paths = acknowledgementsIn(synthesized.app).map(({ path }) => path);

    // Assess
    expect(paths.length).toBeGreaterThan(0);
    expect(paths.filter((path) => path === '' || path === synthesized.stack.node.path)).toStrictEqual([]);
  });
});
