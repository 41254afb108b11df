import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { CognitoUserDirectory } from '#adapters/cognito/user-directory';
import { DynamoDbProjects } from '#adapters/dynamodb/projects';
import type { Endpoints } from './stack.ts';

const CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };

/**
 * The directory a local stack's handlers use, for tests to read (and set up) what the actions did:
 * accounts in its cognito-local pool, projects and memberships in its table.
 */
export function localDirectory(endpoints: Endpoints): CognitoUserDirectory {
  const dynamo = DynamoDBDocumentClient.from(new DynamoDBClient({ endpoint: endpoints.services.dynamodb, region: 'us-east-1', credentials: CREDENTIALS }), {
    marshallOptions: { removeUndefinedValues: true },
  });
  return new CognitoUserDirectory({
    client: new CognitoIdentityProviderClient({ endpoint: endpoints.cognito.endpoint, region: 'us-east-1', credentials: CREDENTIALS }),
    userPoolId: endpoints.cognito.userPoolId,
    projects: new DynamoDbProjects({ client: dynamo, tableName: endpoints.services.tableName }),
  });
}
