import { createApp } from '#functions/app';
import { readEnv } from '#functions/env';

describe('createApp with a tracer', () => {
  it('traces every SDK client it makes (a subsegment per call in the traced functions)', () => {
    // Prepare
    const captured: string[] = [];
    const tracer = {
      captureAWSv3Client: <C>(client: C): C => (captured.push((client as object).constructor.name), client),
      putAnnotation: () => undefined,
    };
    const env = readEnv({ ASSENT_TABLE_NAME: 't', ASSENT_ARCHIVE_BUCKET: 'b' }, ['tableName', 'archiveBucket']);

    // Act
    createApp(env, {}, { tracer });

    // Assess
    expect(captured.sort()).toStrictEqual(['CognitoIdentityProviderClient', 'DynamoDBClient', 'EventBridgeClient', 'S3Client', 'SESClient', 'SFNClient']);
  });
});
