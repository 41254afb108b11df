import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createLocalJWKSet, type CryptoKey, exportJWK, generateKeyPair, type JWK, type JWTPayload, SignJWT } from 'jose';
import { UnauthorizedError } from '#core/errors';
import { type Env, readEnv } from '#functions/env';
import { identify } from '#http/auth';
import { LOCAL_AUDIENCE, LOCAL_ISSUER, verifyAsApiGateway } from '#local/jwt';
import { expectError } from '../../support/expect-error.ts';

/**
 * Bearer JWTs without `exp` are refused by both checks: the handler's (functions/http/auth.ts) and
 * the local gateway's stand-in for API Gateway's JWT authorizer (local/jwt.ts), which must refuse
 * exactly what API Gateway refuses. The JWKS is served on 127.0.0.1 for the handler's remote key set.
 */
const NOW = Math.floor(Date.now() / 1000);
let privateKey: CryptoKey;
let jwks: { keys: JWK[] };
let server: Server;
let env: Env;

beforeAll(async () => {
  const pair = await generateKeyPair('ES256', { extractable: true });
  privateKey = pair.privateKey;
  jwks = { keys: [{ ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'ES256', use: 'sig' }] };
  server = createServer((_request, response) => {
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(JSON.stringify(jwks));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  env = {
    ...readEnv({}, []),
    jwtIssuer: LOCAL_ISSUER,
    jwtAudience: [LOCAL_AUDIENCE],
    jwksUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks.json`,
  };
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

/** A token of the local issuer for the local audience, with these claims (undefined ones left out). */
function token(claims: JWTPayload): Promise<string> {
  const defined = Object.fromEntries(Object.entries({ iss: LOCAL_ISSUER, aud: LOCAL_AUDIENCE, sub: 'ann', roles: ['admin'], iat: NOW - 60, exp: NOW + 3600, ...claims }).filter(([, value]) => value !== undefined));
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
    const claims = await verifyAsApiGateway(await token({}), keys());

    // Assess
    expect(claims).toStrictEqual({ iss: LOCAL_ISSUER, aud: LOCAL_AUDIENCE, sub: 'ann', roles: ['admin'], iat: NOW - 60, exp: NOW + 3600 });
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
    await expect(verifyAsApiGateway(await token(claims), keys())).resolves.toBeUndefined();
  });

  it('refuses a token signed with another key', async () => {
    // Prepare
    const other = await generateKeyPair('ES256');
    const forged = await new SignJWT({ iss: LOCAL_ISSUER, aud: LOCAL_AUDIENCE, sub: 'ann', exp: NOW + 3600 }).setProtectedHeader({ alg: 'ES256', kid: 'k1' }).sign(other.privateKey);

    // Act & Assess
    await expect(verifyAsApiGateway(forged, keys())).resolves.toBeUndefined();
  });
});
