import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import {
  type CognitoIdentityProviderClient,
  CreateGroupCommand,
  CreateUserPoolClientCommand,
  CreateUserPoolCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { ROLES } from '../../functions/roles.ts';

/** The local user pool and its app client, as endpoints.json names them. */
export interface LocalPool {
  readonly userPoolId: string;
  readonly clientId: string;
}

/**
 * The user pool the stack would create (lib/constructs/identity.ts), on cognito-local: email as
 * the username, Assent's password policy (12 characters, no character classes), an app client
 * without a secret for password and SRP sign-in, and a group per role.
 */
export async function createPool(client: CognitoIdentityProviderClient, name = 'assent'): Promise<LocalPool> {
  const { UserPool } = await client.send(
    new CreateUserPoolCommand({
      PoolName: name,
      UsernameAttributes: ['email'],
      Policies: { PasswordPolicy: { MinimumLength: 12, RequireLowercase: false, RequireUppercase: false, RequireNumbers: false, RequireSymbols: false } },
    }),
  );
  const userPoolId = UserPool?.Id ?? '';
  const { UserPoolClient } = await client.send(
    new CreateUserPoolClientCommand({
      UserPoolId: userPoolId,
      ClientName: `${name}-console`,
      GenerateSecret: false,
      ExplicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_USER_SRP_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
    }),
  );
  for (const [group, description] of Object.entries(ROLES)) {
    await client.send(new CreateGroupCommand({ UserPoolId: userPoolId, GroupName: group, Description: description }));
  }
  return { userPoolId, clientId: UserPoolClient?.ClientId ?? '' };
}

/** The pool recorded in `file`, or a new one recorded there: the local pool survives restarts. */
export async function ensurePool(client: CognitoIdentityProviderClient, file: string): Promise<LocalPool> {
  if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8')) as LocalPool;
  const pool = await createPool(client);
  writeFileSync(file, JSON.stringify(pool));
  return pool;
}
