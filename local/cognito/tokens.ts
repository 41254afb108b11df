/**
 * Tokens for any user of the local pool, signed as cognito-local signs them: its RS256 key (shipped in
 * the npm package, `kid` CognitoLocal, published at `<issuer>/.well-known/jwks.json`), its issuer
 * `<endpoint>/<userPoolId>` and its claims. What `npm run token`, the admin token of endpoints.json
 * and the tests use: a signed-up user's token without their password. Local use only: the key is public.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { importJWK, type JWK, SignJWT } from 'jose';

/** The local pool as endpoints.json names it (`cognito`). */
export interface LocalPoolEndpoints {
  readonly endpoint: string;
  readonly userPoolId: string;
  readonly clientId: string;
}

/** Who the token is for: the account's `sub` (its username in the pool), groups, and address (ID tokens carry it). */
export interface LocalUser {
  readonly sub: string;
  readonly groups: readonly string[];
  readonly email?: string;
}

export type TokenUse = 'access' | 'id';

const require = createRequire(import.meta.url);
const KID = 'CognitoLocal';
let key: ReturnType<typeof importJWK> | undefined;
const signingKey = () => {
  key ??= importJWK((JSON.parse(readFileSync(require.resolve('cognito-local/lib/keys/cognitoLocal.private.json'), 'utf8')) as { jwk: JWK }).jwk, 'RS256');
  return key;
};

export const issuerOf = (pool: Pick<LocalPoolEndpoints, 'endpoint' | 'userPoolId'>): string => `${pool.endpoint}/${pool.userPoolId}`;

/**
 * An access token (`client_id`, `username`, no `aud`, no email) or an ID token (`aud` the client,
 * `email`), as cognito-local's InitiateAuth issues them; valid for `expiresIn` (24 h, its default).
 */
export async function signLocalToken(pool: LocalPoolEndpoints, user: LocalUser, use: TokenUse = 'access', expiresIn = '24h'): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  const common = { auth_time: now, event_id: randomUUID(), jti: randomUUID(), ...(user.groups.length > 0 ? { 'cognito:groups': [...user.groups] } : {}) };
  const claims =
    use === 'access'
      ? { ...common, client_id: pool.clientId, scope: 'aws.cognito.signin.user.admin', token_use: 'access', username: user.sub }
      : { ...common, 'cognito:username': user.sub, ...(user.email ? { email: user.email, email_verified: true } : {}), token_use: 'id' };
  const jwt = new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid: KID }).setIssuer(issuerOf(pool)).setSubject(user.sub).setIssuedAt(now).setExpirationTime(expiresIn);
  return (use === 'id' ? jwt.setAudience(pool.clientId) : jwt).sign(await signingKey());
}
