import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  AdminAddUserToGroupCommand,
  AdminCreateUserCommand,
  AdminGetUserCommand,
  AdminSetUserPasswordCommand,
  CognitoIdentityProviderClient,
  CreateGroupCommand,
  CreateUserPoolClientCommand,
  CreateUserPoolCommand,
  InitiateAuthCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { createRemoteJWKSet, decodeJwt } from 'jose';
import { UnauthorizedError } from '#core/errors';
import { type Env, readEnv } from '#functions/env';
import { identify } from '#http/auth';
import { type CognitoLocal, startCognitoLocal } from '#local/cognito/cognito-local';
import { type JwtAuthorizerConfig, verifyAsApiGateway } from '#local/jwt';
import { freePort } from '#local/ports';
import { expectError } from '../support/expect-error.ts';

/**
 * Tokens issued by a real cognito-local user pool (RS256, `kid` CognitoLocal, plain-http JWKS under
 * the issuer), checked by both checks of a bearer JWT: the handler's identify (functions/http/auth.ts)
 * and the local gateway's stand-in for API Gateway's JWT authorizer (local/jwt.ts), configured as
 * docs/deploying.md configures a Cognito deployment.
 */
/**
 * cognito-local's pools sign users in by email (`UsernameAttributes: ['email']`); as in Cognito, their
 * username (in access tokens) is then a generated UUID, not the address.
 */
const USERNAME = 'ann@example.com';
const PASSWORD = 'Correct-Horse-9';
let dir: string;
let cognito: CognitoLocal;
let env: Env;
let authorizer: JwtAuthorizerConfig;
let sub: string;
let tokens: { access: string; id: string; refresh: string };

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'assent-cognito-'));
  cognito = await startCognitoLocal(dir, await freePort());
  const client = new CognitoIdentityProviderClient({ endpoint: cognito.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  const pool = await client.send(new CreateUserPoolCommand({ PoolName: 'assent-test' }));
  const UserPoolId = pool.UserPool?.Id ?? '';
  const app = await client.send(
    new CreateUserPoolClientCommand({ UserPoolId, ClientName: 'assent-cli', ExplicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'] }),
  );
  const ClientId = app.UserPoolClient?.ClientId ?? '';
  await client.send(new CreateGroupCommand({ UserPoolId, GroupName: 'admin' }));
  await client.send(
    new AdminCreateUserCommand({ UserPoolId, Username: USERNAME, MessageAction: 'SUPPRESS', UserAttributes: [{ Name: 'email', Value: 'ann@example.com' }] }),
  );
  await client.send(new AdminSetUserPasswordCommand({ UserPoolId, Username: USERNAME, Password: PASSWORD, Permanent: true }));
  await client.send(new AdminAddUserToGroupCommand({ UserPoolId, Username: USERNAME, GroupName: 'admin' }));
  sub = (await client.send(new AdminGetUserCommand({ UserPoolId, Username: USERNAME }))).UserAttributes?.find((attribute) => attribute.Name === 'sub')?.Value ?? '';
  const signIn = await client.send(new InitiateAuthCommand({ ClientId, AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME, PASSWORD } }));
  const result = signIn.AuthenticationResult;
  tokens = { access: result?.AccessToken ?? '', id: result?.IdToken ?? '', refresh: result?.RefreshToken ?? '' };
  const issuer = `${cognito.endpoint}/${UserPoolId}`;
  env = { ...readEnv({}, []), jwtIssuer: issuer, jwtAudience: [ClientId], jwksUrl: `${issuer}/.well-known/jwks.json`, rolesClaim: 'cognito:groups' };
  authorizer = { issuer, audiences: [ClientId] };
}, 60_000);

afterAll(async () => {
  await cognito?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const gatewayKeys = () => createRemoteJWKSet(new URL(env.jwksUrl));

describe('tokens of a cognito-local user pool', () => {
  it('are what Cognito issues: an access token naming the client in client_id, an ID token in aud', () => {
    // Act
    const [access, id] = [decodeJwt(tokens.access), decodeJwt(tokens.id)];

    // Assess
    expect([access.token_use, access.client_id, access.aud, access.username, access['cognito:groups'], access.iss]).toStrictEqual([
      'access',
      authorizer.audiences[0],
      undefined,
      expect.stringMatching(/^[0-9a-f-]{36}$/),
      ['admin'],
      authorizer.issuer,
    ]);
    expect([id.token_use, id.aud, id.email, id['cognito:groups'], id.iss]).toStrictEqual(['id', authorizer.audiences[0], USERNAME, ['admin'], authorizer.issuer]);
  });

  it('identify accepts the access token with the admin group as role, and no email (its username is not an address)', async () => {
    // Act
    const identity = await identify(`Bearer ${tokens.access}`, env);

    // Assess
    expect(identity).toStrictEqual({ sub, roles: ['admin'] });
  });

  it('identify accepts the ID token, with its email and the admin group as role', async () => {
    // Act
    const identity = await identify(`Bearer ${tokens.id}`, env);

    // Assess
    expect(identity).toStrictEqual({ sub, email: USERNAME, roles: ['admin'] });
  });

  it('identify refuses the refresh token (neither aud nor client_id)', async () => {
    // Act & Assess
    await expectError(identify(`Bearer ${tokens.refresh}`, env), UnauthorizedError, 'The bearer token is not valid.');
  });

  it('identify refuses the access token when configured for another app client', async () => {
    // Act & Assess
    await expectError(identify(`Bearer ${tokens.access}`, { ...env, jwtAudience: ['another-client'] }), UnauthorizedError, 'The bearer token is not valid.');
  });

  it('the gateway accepts the access and ID tokens and refuses the refresh token, as API Gateway does', async () => {
    // Act
    const [access, id, refresh] = await Promise.all([tokens.access, tokens.id, tokens.refresh].map((token) => verifyAsApiGateway(token, gatewayKeys(), authorizer)));

    // Assess
    expect([access, id, refresh]).toStrictEqual([decodeJwt(tokens.access), decodeJwt(tokens.id), undefined]);
  });
});
