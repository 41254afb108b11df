import { App, type CfnElement, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AttributeType, StreamViewType, Table } from 'aws-cdk-lib/aws-dynamodb';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { PROJECT_ROOT } from '../../lib/assent-stack.ts';
import { TaskArchive } from '../../lib/constructs/archive.ts';
import { getAttOf, logicalIdOf, refOf, type Synthesized, statementsOf, synthesize } from './fixtures.ts';

let synthesized: Synthesized;
beforeAll(() => {
  synthesized = synthesize();
});

const propertiesOf = (type: string, construct: Parameters<typeof logicalIdOf>[0]) =>
  (synthesized.template.findResources(type)[logicalIdOf(construct)] as { Properties: Record<string, unknown> } | undefined)?.Properties;

describe('TaskArchive', () => {
  it('reads the table stream, which keeps old images (what TTL deleted)', () => {
    // Act
    const table = propertiesOf('AWS::DynamoDB::Table', synthesized.stack.table.table);

    // Assess
    expect(table?.StreamSpecification).toStrictEqual({ StreamViewType: 'NEW_AND_OLD_IMAGES' });
    expect(table?.TimeToLiveSpecification).toStrictEqual({ AttributeName: 'expiresAt', Enabled: true });
  });

  it('invokes the archiver from the stream with retries, bisection, partial batch failures, a DLQ and a TTL-removal filter', () => {
    // Prepare
    const { template, stack } = synthesized;

    // Act
    const mappings = Object.values(template.findResources('AWS::Lambda::EventSourceMapping', { Properties: { FunctionName: refOf(stack.archive.handler.function) } }));

    // Assess
    expect(mappings).toHaveLength(1);
    expect(mappings[0]?.Properties).toStrictEqual({
      EventSourceArn: getAttOf(stack.table.table, 'StreamArn'),
      FunctionName: refOf(stack.archive.handler.function),
      StartingPosition: 'TRIM_HORIZON',
      BatchSize: 100,
      MaximumBatchingWindowInSeconds: 30,
      MaximumRetryAttempts: 10,
      BisectBatchOnFunctionError: true,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      DestinationConfig: { OnFailure: { Destination: getAttOf(stack.archive.deadLetterQueue, 'Arn') } },
      FilterCriteria: {
        Filters: [{ Pattern: JSON.stringify({ eventName: ['REMOVE'], userIdentity: { type: ['Service'], principalId: ['dynamodb.amazonaws.com'] } }) }],
      },
    });
  });

  it('keeps the dead-letter queue encrypted for 14 days and refuses plain HTTP to it', () => {
    // Prepare
    const { template, stack } = synthesized;

    // Act
    const queue = propertiesOf('AWS::SQS::Queue', stack.archive.deadLetterQueue);
    const policies = Object.values(template.findResources('AWS::SQS::QueuePolicy')).map((policy) => policy.Properties);

    // Assess
    expect(queue).toStrictEqual({ SqsManagedSseEnabled: true, MessageRetentionPeriod: 1_209_600 });
    expect(policies).toContainEqual(
      expect.objectContaining({
        Queues: [refOf(stack.archive.deadLetterQueue)],
        PolicyDocument: expect.objectContaining({
          Statement: [expect.objectContaining({ Effect: 'Deny', Action: 'sqs:*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })],
        }),
      }),
    );
  });

  it('keeps archives encrypted, private, versioned, logged, moving to Glacier after 90 days', () => {
    // Prepare
    const { stack } = synthesized;

    // Act
    const bucket = propertiesOf('AWS::S3::Bucket', stack.archive.bucket);

    // Assess
    expect(bucket).toStrictEqual({
      BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
      PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
      VersioningConfiguration: { Status: 'Enabled' },
      LoggingConfiguration: { DestinationBucketName: refOf(stack.archive.accessLogsBucket), LogFilePrefix: 'archive-bucket/' },
      LifecycleConfiguration: { Rules: [{ Id: 'ToGlacier', Status: 'Enabled', Transitions: [{ StorageClass: 'GLACIER', TransitionInDays: 90 }] }] },
    });
  });

  it('moves archives to Glacier after glacierAfterDays', () => {
    // Prepare
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    const stack = new Stack(app, 'Archive');
    const table = new Table(stack, 'Table', { partitionKey: { name: 'pk', type: AttributeType.STRING }, stream: StreamViewType.NEW_AND_OLD_IMAGES });

    // Act
    const archive = new TaskArchive(stack, 'Archive', { table, projectRoot: PROJECT_ROOT, logRetention: RetentionDays.ONE_MONTH, glacierAfterDays: 30 });
    const bucket = Template.fromStack(stack).findResources('AWS::S3::Bucket')[stack.getLogicalId(archive.bucket.node.defaultChild as CfnElement)];

    // Assess
    expect(bucket?.Properties.LifecycleConfiguration).toStrictEqual({ Rules: [{ Id: 'ToGlacier', Status: 'Enabled', Transitions: [{ StorageClass: 'GLACIER', TransitionInDays: 30 }] }] });
  });

  it('refuses plain HTTP to both buckets', () => {
    // Prepare
    const { template, stack } = synthesized;

    // Act
    const policies = Object.values(template.findResources('AWS::S3::BucketPolicy')).map((policy) => policy.Properties as { Bucket: unknown; PolicyDocument: { Statement: { Effect: string; Condition?: unknown }[] } });

    // Assess
    for (const bucket of [stack.archive.bucket, stack.archive.accessLogsBucket]) {
      const policy = policies.find((candidate) => JSON.stringify(candidate.Bucket) === JSON.stringify(refOf(bucket)));
      expect(policy?.PolicyDocument.Statement).toContainEqual(expect.objectContaining({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }));
    }
  });

  it('lets the archiver put objects under archive/ of its bucket, read the table stream, send to its DLQ, and nothing else', () => {
    // Prepare
    const { template, stack } = synthesized;

    // Act
    const statements = statementsOf(template, stack.archive.handler.role);

    // Assess
    expect(statements).toStrictEqual([
      { Effect: 'Allow', Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Resource: getAttOf(stack.archive.handler.logGroup, 'Arn') },
      { Effect: 'Allow', Action: ['dynamodb:ListStreams', 'xray:PutTelemetryRecords', 'xray:PutTraceSegments'], Resource: '*' },
      { Effect: 'Allow', Action: 's3:PutObject', Resource: { 'Fn::Join': ['', [getAttOf(stack.archive.bucket, 'Arn'), '/archive/*']] } },
      { Effect: 'Allow', Action: ['sqs:GetQueueAttributes', 'sqs:GetQueueUrl', 'sqs:SendMessage'], Resource: getAttOf(stack.archive.deadLetterQueue, 'Arn') },
      { Effect: 'Allow', Action: ['dynamodb:DescribeStream', 'dynamodb:GetRecords', 'dynamodb:GetShardIterator'], Resource: getAttOf(stack.table.table, 'StreamArn') },
    ]);
  });

  it('gives the archiver the bucket name and nothing of the table but its stream', () => {
    // Prepare
    const { stack } = synthesized;

    // Act
    const fn = propertiesOf('AWS::Lambda::Function', stack.archive.handler.function) as { Environment: { Variables: Record<string, unknown> }; Handler: string };

    // Assess
    expect(fn.Environment.Variables.ASSENT_ARCHIVE_BUCKET).toStrictEqual(refOf(stack.archive.bucket));
    expect(fn.Environment.Variables.ASSENT_TABLE_NAME).toBeUndefined();
  });

  it('lets the http function read only the task index entries, and the steps function nothing of the archive', () => {
    // Prepare
    const { template, stack } = synthesized;

    // Act
    const http = statementsOf(template, stack.handlers.http.role).filter((statement) => JSON.stringify(statement).includes(logicalIdOf(stack.archive.bucket)));
    const steps = statementsOf(template, stack.handlers.steps.role);

    // Assess
    expect(http.map((statement) => [statement.Action, JSON.stringify(statement.Resource)])).toStrictEqual([
      ['s3:GetObject', expect.stringContaining('/archive/index/tasks/*')],
    ]);
    expect(JSON.stringify(steps)).not.toContain(logicalIdOf(stack.archive.bucket));
    expect(JSON.stringify([...http, ...steps])).not.toContain('StreamArn');
  });
});
