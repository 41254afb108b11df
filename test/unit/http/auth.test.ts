import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createLocalJWKSet, type CryptoKey, decodeJwt, exportJWK, generateKeyPair, type JWK, type JWTPayload, SignJWT } from 'jose';
import { ForbiddenError, TransientError, UnauthorizedError } from '#core/errors';
import type { Identity } from '#core/identity';
import { type Env, readEnv } from '#functions/env';
import { identify, requireRole } from '#http/auth';
import { type JwtAuthorizerConfig, RSA_ALGORITHMS, verifyAsApiGateway } from '#local/jwt';
import { expectError } from '../../support/expect-error.ts';

/** Another issuer's tokens (bring your own issuer): ES256-signed, for this audience. */
const ISSUER = 'https://issuer.example.com/';
const AUDIENCE = 'assent';
/** An authorizer for that issuer that also verifies ES256 (API Gateway's own verifies RSA only: see the algorithm test below). */
const ES256_AUTHORIZER: JwtAuthorizerConfig = { issuer: ISSUER, audiences: [AUDIENCE], algorithms: [...RSA_ALGORITHMS, 'ES256'] };

/**
 * The two checks of a bearer JWT: the handler's (functions/http/auth.ts) and the local gateway's
 * stand-in for API Gateway's JWT authorizer (local/jwt.ts), which must refuse exactly what API
 * Gateway refuses. Two issuers: the local one (ES256, `aud`), and a Cognito-shaped user pool (RS256;
 * access tokens name the app client in `client_id`, ID tokens in `aud`). Their key sets are served on
 * 127.0.0.1 for the handler's remote key set.
 */
const NOW = Math.floor(Date.now() / 1000);
const POOL_ID = 'eu-west-1_TestPool';
const CLIENT_ID = 'app-client-1';
let privateKey: CryptoKey;
let jwks: { keys: JWK[] };
let poolKey: CryptoKey;
let poolJwks: { keys: JWK[] };
let server: Server;
let baseUrl: string;
/** JWKS requests the server answered, by path (with query). */
const fetched: string[] = [];
let env: Env;
/** The handler's configuration for the user pool, as docs/deploying.md gives it for Cognito. */
let poolEnv: Env;
/** The gateway's authorizer for the user pool, as lib/ configures API Gateway's. */
let poolAuthorizer: JwtAuthorizerConfig;
let poolIssuer: string;

beforeAll(async () => {
  const pair = await generateKeyPair('ES256', { extractable: true });
  privateKey = pair.privateKey;
  jwks = { keys: [{ ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'ES256', use: 'sig' }] };
  const pool = await generateKeyPair('RS256', { extractable: true });
  poolKey = pool.privateKey;
  poolJwks = { keys: [{ ...(await exportJWK(pool.publicKey)), kid: 'pool-1', alg: 'RS256', use: 'sig' }] };
  server = createServer((request, response) => {
    fetched.push(request.url ?? '');
    const path = new URL(request.url ?? '/', 'http://x').pathname;
    const body = path === '/jwks.json' ? jwks : path === `/${POOL_ID}/.well-known/jwks.json` ? poolJwks : undefined;
    response.writeHead(body ? 200 : 503, { 'content-type': 'application/json' });
    response.end(JSON.stringify(body ?? { message: 'down' }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  env = {
    ...readEnv({}, []),
    jwtIssuer: ISSUER,
    jwtAudience: [AUDIENCE],
    jwksUrl: `${baseUrl}/jwks.json`,
  };
  poolIssuer = `${baseUrl}/${POOL_ID}`;
  poolEnv = { ...env, jwtIssuer: poolIssuer, jwtAudience: [CLIENT_ID], jwksUrl: `${poolIssuer}/.well-known/jwks.json`, rolesClaim: 'cognito:groups' };
  poolAuthorizer = { issuer: poolIssuer, audiences: [CLIENT_ID] };
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

/** A token of the local issuer for the local audience, with these claims (undefined ones left out). */
function token(claims: JWTPayload): Promise<string> {
  const defined = Object.fromEntries(Object.entries({ iss: ISSUER, aud: AUDIENCE, sub: 'ann', roles: ['admin'], iat: NOW - 60, exp: NOW + 3600, ...claims }).filter(([, value]) => value !== undefined));
  return new SignJWT(defined).setProtectedHeader({ alg: 'ES256', kid: 'k1' }).sign(privateKey);
}

describe('identify (the HTTP handler)', () => {
  it('accepts a token that expires', async () => {
    // Act
    const identity = await identify(`Bearer ${await token({ email: 'ann@example.com' })}`, env);

    // Assess
    expect(identity).toStrictEqual({ sub: 'ann', email: 'ann@example.com', roles: ['admin'] });
  });

  it('refuses a token without exp (it would be good forever) with 401 and how to fix it', async () => {
    // Act
    const attempt = identify(`Bearer ${await token({ exp: undefined })}`, env);

    // Assess
    await expectError(attempt, UnauthorizedError, 'The bearer token has no expiry ("exp" claim); ask its issuer for a token that expires.');
  });

  it('refuses a token that has expired', async () => {
    // Act & Assess
    await expectError(identify(`Bearer ${await token({ exp: NOW - 60 })}`, env), UnauthorizedError, 'The bearer token has expired.');
  });
});

describe('verifyAsApiGateway (the local gateway, as strict as API Gateway)', () => {
  const keys = () => createLocalJWKSet(jwks);

  it('answers the claims of a token API Gateway accepts', async () => {
    // Act
    const claims = await verifyAsApiGateway(await token({}), keys(), ES256_AUTHORIZER);

    // Assess
    expect(claims).toStrictEqual({ iss: ISSUER, aud: AUDIENCE, sub: 'ann', roles: ['admin'], iat: NOW - 60, exp: NOW + 3600 });
  });

  it.each([
    ['without exp', { exp: undefined }],
    ['expired', { exp: NOW - 1 }],
    ['not valid yet (nbf in the future)', { nbf: NOW + 600 }],
    ['issued in the future (iat)', { iat: NOW + 600 }],
    ['for another audience', { aud: 'someone-else' }],
    ['without an audience', { aud: undefined }],
    ['from another issuer', { iss: 'https://evil.example.com/' }],
  ])('refuses a token %s', async (_why, claims) => {
    // Act & Assess
    await expect(verifyAsApiGateway(await token(claims), keys(), ES256_AUTHORIZER)).resolves.toBeUndefined();
  });

  it('refuses a token signed with another key', async () => {
    // Prepare
    const other = await generateKeyPair('ES256');
    const forged = await new SignJWT({ iss: ISSUER, aud: AUDIENCE, sub: 'ann', exp: NOW + 3600 }).setProtectedHeader({ alg: 'ES256', kid: 'k1' }).sign(other.privateKey);

    // Act & Assess
    await expect(verifyAsApiGateway(forged, keys(), ES256_AUTHORIZER)).resolves.toBeUndefined();
  });
});

const NOT_VALID = 'The bearer token is not valid.';
const EXPIRED = 'The bearer token has expired.';
const NO_EXPIRY = 'The bearer token has no expiry ("exp" claim); ask its issuer for a token that expires.';
const NOT_ACCESS_OR_ID = 'The bearer token is neither an access token nor an ID token; send one of those.';

/** A token of the user pool with these claims (undefined ones left out), signed RS256 with `kid` (undefined: none). */
function poolToken(claims: JWTPayload, options: { key?: CryptoKey; kid?: string | undefined } = { kid: 'pool-1' }): Promise<string> {
  const defined = Object.fromEntries(Object.entries(claims).filter(([, value]) => value !== undefined));
  const header = options.kid === undefined ? { alg: 'RS256' } : { alg: 'RS256', kid: options.kid };
  return new SignJWT(defined).setProtectedHeader(header).sign(options.key ?? poolKey);
}

/** A Cognito access token: the app client in `client_id`, no `aud`, `username`, groups in `cognito:groups`. */
const accessToken = (claims: JWTPayload = {}, options?: { key?: CryptoKey; kid?: string | undefined }) =>
  poolToken(
    {
      iss: poolIssuer,
      sub: 'ann-sub',
      client_id: CLIENT_ID,
      token_use: 'access',
      scope: 'aws.cognito.signin.user.admin',
      username: 'ann',
      'cognito:groups': ['admin'],
      auth_time: NOW - 60,
      iat: NOW - 60,
      exp: NOW + 3600,
      ...claims,
    },
    options,
  );

/** A Cognito ID token: the app client in `aud`, `email`. */
const idToken = (claims: JWTPayload = {}) =>
  poolToken({
    iss: poolIssuer,
    sub: 'ann-sub',
    aud: CLIENT_ID,
    token_use: 'id',
    email: 'ann@example.com',
    email_verified: true,
    'cognito:username': 'ann',
    'cognito:groups': ['admin'],
    auth_time: NOW - 60,
    iat: NOW - 60,
    exp: NOW + 3600,
    ...claims,
  });

describe('Cognito-shaped tokens: the handler and the gateway agree', () => {
  const keys = () => createLocalJWKSet(poolJwks);

  const accepted: { why: string; token: () => Promise<string>; identity: Identity }[] = [
    { why: 'an access token for the app client (client_id, no aud)', token: () => accessToken(), identity: { sub: 'ann-sub', roles: ['admin'] } },
    { why: 'an access token whose username is an email address', token: () => accessToken({ username: 'ann@example.com' }), identity: { sub: 'ann-sub', email: 'ann@example.com', roles: ['admin'] } },
    { why: 'an ID token for the app client (aud)', token: () => idToken(), identity: { sub: 'ann-sub', email: 'ann@example.com', roles: ['admin'] } },
    { why: 'an access token of a user in no group, with no roles', token: () => accessToken({ 'cognito:groups': undefined }), identity: { sub: 'ann-sub', roles: [] } },
  ];

  it.each(accepted)('accepts $why', async ({ token, identity }) => {
    // Prepare
    const jwt = await token();

    // Act
    const [handler, gateway] = await Promise.all([identify(`Bearer ${jwt}`, poolEnv), verifyAsApiGateway(jwt, keys(), poolAuthorizer)]);

    // Assess
    expect(handler).toStrictEqual(identity);
    expect(gateway).toStrictEqual(decodeJwt(jwt));
  });

  const refused: { why: string; token: () => Promise<string>; message: string }[] = [
    { why: 'an access token of another app client (client_id)', token: () => accessToken({ client_id: 'other-client' }), message: NOT_VALID },
    { why: 'an ID token for another app client (aud)', token: () => idToken({ aud: 'other-client' }), message: NOT_VALID },
    { why: 'an access token without client_id', token: () => accessToken({ client_id: undefined }), message: NOT_VALID },
    {
      why: 'a refresh token (token_use "refresh", neither aud nor client_id)',
      token: () => poolToken({ iss: poolIssuer, sub: 'ann-sub', token_use: 'refresh', 'cognito:username': 'ann', iat: NOW - 60, exp: NOW + 86_400 }),
      message: NOT_ACCESS_OR_ID,
    },
    { why: 'an access token for the app client from another issuer', token: () => accessToken({ iss: `${baseUrl}/eu-west-1_OtherPool` }), message: NOT_VALID },
    { why: 'an expired access token', token: () => accessToken({ exp: NOW - 60 }), message: EXPIRED },
    { why: 'an expired ID token', token: () => idToken({ exp: NOW - 60 }), message: EXPIRED },
    { why: 'an access token without exp (good forever)', token: () => accessToken({ exp: undefined }), message: NO_EXPIRY },
    { why: 'an ID token without exp (good forever)', token: () => idToken({ exp: undefined }), message: NO_EXPIRY },
    { why: 'an access token not valid yet (nbf in the future)', token: () => accessToken({ nbf: NOW + 600 }), message: NOT_VALID },
    { why: 'an access token issued in the future (iat)', token: () => accessToken({ iat: NOW + 600 }), message: NOT_VALID },
    { why: 'an access token signed with another key under the pool key id', token: async () => accessToken({}, { key: (await generateKeyPair('RS256')).privateKey, kid: 'pool-1' }), message: NOT_VALID },
    { why: 'an access token without a key id (kid)', token: () => accessToken({}, { kid: undefined }), message: NOT_VALID },
  ];

  it.each(refused)('refuses $why: 401 "$message"', async ({ token, message }) => {
    // Prepare
    const jwt = await token();

    // Act
    const [handler, gateway] = await Promise.all([
      identify(`Bearer ${jwt}`, poolEnv).then(
        () => undefined,
        (error: unknown) => error,
      ),
      verifyAsApiGateway(jwt, keys(), poolAuthorizer),
    ]);

    // Assess
    await expectError(Promise.reject(handler), UnauthorizedError, message);
    expect(gateway).toBeUndefined();
  });
});

describe('identify with Cognito tokens (the HTTP handler)', () => {
  it('identifies a user in no group with no roles, refused by requireRole with 403', async () => {
    // Prepare
    const identity = await identify(`Bearer ${await accessToken({ 'cognito:groups': undefined })}`, poolEnv);

    // Act
    const attempt = Promise.resolve().then(() => requireRole(identity, 'admin'));

    // Assess
    await expectError(attempt, ForbiddenError, 'This needs the role "admin".');
  });

  it('refuses a refresh-kind token even when it names the app client, which the gateway (knowing no token_use, as API Gateway) lets through', async () => {
    // Prepare
    const jwt = await poolToken({ iss: poolIssuer, sub: 'ann-sub', client_id: CLIENT_ID, token_use: 'refresh', 'cognito:groups': ['admin'], iat: NOW - 60, exp: NOW + 3600 });

    // Act
    const gateway = await verifyAsApiGateway(jwt, createLocalJWKSet(poolJwks), poolAuthorizer);

    // Assess
    expect(gateway).toStrictEqual(decodeJwt(jwt));
    await expectError(identify(`Bearer ${jwt}`, poolEnv), UnauthorizedError, NOT_ACCESS_OR_ID);
  });

  it('fetches a key set once for any number of tokens and verifiers (cached across invocations)', async () => {
    // Prepare
    const jwksUrl = `${poolIssuer}/.well-known/jwks.json?once`;
    const before = fetched.filter((url) => url.endsWith('?once')).length;

    // Act
    for (const audiences of [[CLIENT_ID], [CLIENT_ID], ['other-client', CLIENT_ID]]) {
      await identify(`Bearer ${await accessToken()}`, { ...poolEnv, jwksUrl, jwtAudience: audiences });
      await identify(`Bearer ${await idToken()}`, { ...poolEnv, jwksUrl, jwtAudience: audiences });
    }

    // Assess
    expect([before, fetched.filter((url) => url.endsWith('?once')).length]).toStrictEqual([0, 1]);
  });

  it('answers 503 (TransientError) when the key set cannot be read: the token may well be good', async () => {
    // Prepare
    const jwksUrl = `${baseUrl}/down/jwks.json`;

    // Act
    const attempt = identify(`Bearer ${await accessToken()}`, { ...poolEnv, jwksUrl });

    // Assess
    await expectError(attempt, TransientError, `Could not read the token issuer's keys at ${jwksUrl}.`);
  });
});

describe("verifyAsApiGateway: API Gateway's audience, key id and algorithm rules", () => {
  const keys = () => createLocalJWKSet(jwks);

  it('accepts a token without aud whose client_id is an audience (client_id counts only without aud)', async () => {
    // Prepare
    const jwt = await token({ aud: undefined, client_id: AUDIENCE });

    // Act & Assess
    await expect(verifyAsApiGateway(jwt, keys(), ES256_AUTHORIZER)).resolves.toStrictEqual(decodeJwt(jwt));
  });

  it('accepts a token whose aud list contains an audience', async () => {
    // Prepare
    const jwt = await token({ aud: ['someone-else', AUDIENCE] });

    // Act & Assess
    await expect(verifyAsApiGateway(jwt, keys(), ES256_AUTHORIZER)).resolves.toStrictEqual(decodeJwt(jwt));
  });

  it('refuses a token whose aud is wrong even with the right client_id (aud, when present, is what counts)', async () => {
    // Act & Assess
    await expect(verifyAsApiGateway(await token({ aud: 'someone-else', client_id: AUDIENCE }), keys(), ES256_AUTHORIZER)).resolves.toBeUndefined();
  });

  it('refuses a token without a key id (kid), even when the key set has one key', async () => {
    // Prepare
    const claims = { iss: ISSUER, aud: AUDIENCE, sub: 'ann', iat: NOW - 60, exp: NOW + 3600 };
    const jwt = await new SignJWT(claims).setProtectedHeader({ alg: 'ES256' }).sign(privateKey);

    // Act & Assess
    await expect(verifyAsApiGateway(jwt, keys(), ES256_AUTHORIZER)).resolves.toBeUndefined();
  });

  it('refuses an ES256 token for an issuer configured as API Gateway verifies (RSA only)', async () => {
    // Prepare
    const both = createLocalJWKSet({ keys: [...poolJwks.keys, ...jwks.keys] });
    const claims = { iss: poolIssuer, sub: 'ann-sub', client_id: CLIENT_ID, token_use: 'access', iat: NOW - 60, exp: NOW + 3600 };
    const jwt = await new SignJWT(claims).setProtectedHeader({ alg: 'ES256', kid: 'k1' }).sign(privateKey);

    // Act
    const asApiGateway = await verifyAsApiGateway(jwt, both, poolAuthorizer);
    const withEs256 = await verifyAsApiGateway(jwt, both, { ...poolAuthorizer, algorithms: ['RS256', 'ES256'] });

    // Assess
    expect([asApiGateway, withEs256]).toStrictEqual([undefined, decodeJwt(jwt)]);
  });
});
