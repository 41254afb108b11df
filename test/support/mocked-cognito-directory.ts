import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { CognitoUserDirectory } from '#adapters/cognito/user-directory';
import { DynamoDbProjects } from '#adapters/dynamodb/projects';

/**
 * The Cognito directory adapter over mocked SDK clients (pool `pool-1`, table `assent`), for the
 * unit tests of its exact commands and error paths; its behaviour is the contract suite's, on
 * cognito-local.
 */
export function mockedCognitoDirectory() {
  const cognitoClient = new CognitoIdentityProviderClient({ region: 'us-east-1' });
  const documentClient = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1' }));
  return {
    cognito: mockClient(cognitoClient),
    ddb: mockClient(documentClient),
    directory: new CognitoUserDirectory({ client: cognitoClient, userPoolId: 'pool-1', projects: new DynamoDbProjects({ client: documentClient, tableName: 'assent' }) }),
  };
}
