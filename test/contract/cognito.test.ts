import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AdminGetUserCommand, CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { CognitoUserDirectory } from '#adapters/cognito/user-directory';
import { DynamoDbProjects } from '#adapters/dynamodb/projects';
import { type CognitoLocal, startCognitoLocal } from '#local/cognito/cognito-local';
import { createPool } from '#local/cognito/pool';
import { freePort } from '#local/ports';
import { useFreshTables } from './fresh-tables.ts';
import { describeUserDirectoryContract } from './user-directory.contract.ts';

/**
 * The UserDirectory contract on the Cognito adapter: a real cognito-local (its own, on a free port)
 * for the accounts, a fresh pool for each test, and the stack's DynamoDB Local for projects and
 * memberships, through the real SDK clients.
 */
const freshTable = useFreshTables();
const home = mkdtempSync(join(tmpdir(), 'assent-cognito-contract-'));
let cognito: CognitoLocal | undefined;
let client: CognitoIdentityProviderClient | undefined;

beforeAll(async () => {
  cognito = await startCognitoLocal(home, await freePort());
  client = new CognitoIdentityProviderClient({ endpoint: cognito.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
}, 60_000);

afterAll(async () => {
  client?.destroy();
  await cognito?.stop();
  rmSync(home, { recursive: true, force: true });
});

describeUserDirectoryContract('CognitoUserDirectory', async () => {
  const cognitoClient = client as CognitoIdentityProviderClient;
  const { userPoolId } = await createPool(cognitoClient, `contract-${Date.now()}`);
  // The `sub` attribute: what the pool's tokens carry (the adapter keeps memberships by username, which equals it).
  const accountIdOf = async (email: string) => {
    const { UserAttributes } = await cognitoClient.send(new AdminGetUserCommand({ UserPoolId: userPoolId, Username: email }));
    return UserAttributes?.find((attribute) => attribute.Name === 'sub')?.Value ?? '';
  };
  return { directory: new CognitoUserDirectory({ client: cognitoClient, userPoolId, projects: new DynamoDbProjects(await freshTable()) }), accountIdOf };
});
