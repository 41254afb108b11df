import { JwtVerifier } from 'aws-jwt-verify';
import { FetchError, JwksValidationError, JwtBaseError, JwtExpiredError, ParameterValidationError } from 'aws-jwt-verify/error';
import { SimpleJwksCache } from 'aws-jwt-verify/jwk';
import type { JwtPayload } from 'aws-jwt-verify/jwt-model';
import * as z from 'zod';
import { ForbiddenError, TransientError, UnauthorizedError } from '#core/errors';
import type { Identity } from '#core/identity';
import type { Env } from '../env.ts';

const NOT_VALID = 'The bearer token is not valid.';
const JWKS_TIMEOUT_MS = 3000;

/**
 * One key-set cache for every verifier (keyed by JWKS URL), kept across invocations. Its fetcher is
 * the runtime's fetch: aws-jwt-verify's own refuses http://, which cognito-local serves locally.
 */
const jwksCache = new SimpleJwksCache({
  fetcher: {
    fetch: async (uri: string) => {
      let response: Response;
      try {
        response = await fetch(uri, { signal: AbortSignal.timeout(JWKS_TIMEOUT_MS) });
      } catch (error) {
        throw new FetchError(uri, error);
      }
      if (!response.ok) throw new FetchError(uri, `status ${response.status}`);
      return response.arrayBuffer();
    },
  },
});

const hasAudience = (payload: JwtPayload, audiences: readonly string[]): boolean =>
  [payload.aud ?? []].flat().some((aud) => audiences.includes(aud));

/**
 * What a token must be for, by kind (`token_use`): a Cognito access token names its app client in
 * `client_id` (and has no `aud`), a Cognito ID token in `aud`, and another issuer's token (no
 * `token_use`) in `aud`. Any other kind (a refresh token) is refused.
 */
function checkAudience(payload: JwtPayload, audiences: readonly string[]): void {
  switch (payload.token_use) {
    case 'access':
      if (typeof payload.client_id !== 'string' || !audiences.includes(payload.client_id)) throw new UnauthorizedError(NOT_VALID);
      return;
    case 'id':
    case undefined:
      if (!hasAudience(payload, audiences)) throw new UnauthorizedError(NOT_VALID);
      return;
    default:
      throw new UnauthorizedError('The bearer token is neither an access token nor an ID token; send one of those.');
  }
}

/**
 * The checks aws-jwt-verify leaves to us, in order, after the signature, `iss`, `exp` (when present)
 * and `nbf`: as API Gateway's JWT authorizer, `exp` is required (a token without would be good
 * forever) and `iat` must not be in the future; then the audience, by kind of token.
 */
const claimChecks =
  (audiences: readonly string[]) =>
  ({ payload }: { payload: JwtPayload }): void => {
    if (payload.exp === undefined) throw new UnauthorizedError('The bearer token has no expiry ("exp" claim); ask its issuer for a token that expires.');
    if (payload.iat !== undefined && payload.iat > Math.floor(Date.now() / 1000)) throw new UnauthorizedError(NOT_VALID);
    checkAudience(payload, audiences);
  };

const verifiers = new Map<string, ReturnType<typeof createVerifier>>();

function createVerifier(issuer: string, jwksUri: string, audiences: readonly string[]) {
  // `audience: null` only because the audience claim depends on the kind of token: claimChecks checks it.
  return JwtVerifier.create({ issuer, jwksUri, audience: null, customJwtCheck: claimChecks(audiences) }, { jwksCache });
}

/** The verifier of this (issuer, key set, audiences), created once per Lambda instance. */
function verifierFor(env: Env) {
  const key = JSON.stringify([env.jwtIssuer, env.jwksUrl, env.jwtAudience]);
  let verifier = verifiers.get(key);
  if (!verifier) {
    verifier = createVerifier(env.jwtIssuer, env.jwksUrl, env.jwtAudience);
    verifiers.set(key, verifier);
  }
  return verifier;
}

const rolesFrom = (payload: JwtPayload, claim: string): string[] => {
  const value = payload[claim];
  if (Array.isArray(value)) return value.filter((role): role is string => typeof role === 'string');
  if (typeof value === 'string') return value.split(/[\s,]+/).filter(Boolean);
  return [];
};

/** An ID token's (or another issuer's) `email`; an access token has none, only `username`, used when it is an address. */
const emailFrom = (payload: JwtPayload): string | undefined => {
  if (payload.token_use === 'access') return z.email().safeParse(payload.username).data;
  return typeof payload.email === 'string' ? payload.email : undefined;
};

/**
 * Verifies a bearer JWT against the issuer's JWKS: the signature (RS256, ES256 and the other
 * algorithms aws-jwt-verify supports), `iss`, `exp` (required), `nbf`, `iat`, then the audience by
 * kind of token (see checkAudience): Cognito access and ID tokens, and other issuers' tokens by `aud`.
 * No header: anonymous. A header that does not verify is refused, never treated as anonymous.
 * When the key set cannot be read, a TransientError (503): the token may well be good.
 */
export async function identify(authorization: string | undefined, env: Env): Promise<Identity | undefined> {
  if (authorization === undefined || authorization === '') return undefined;
  const match = /^Bearer ([A-Za-z0-9._~+/-]+=*)$/.exec(authorization.trim());
  if (!match?.[1]) throw new UnauthorizedError('The Authorization header must be "Bearer <JWT>".');
  let payload: JwtPayload;
  try {
    payload = await verifierFor(env).verify(match[1]);
  } catch (error) {
    if (error instanceof UnauthorizedError) throw error;
    if (error instanceof FetchError || error instanceof JwksValidationError) {
      throw new TransientError(`Could not read the token issuer's keys at ${env.jwksUrl}.`, { cause: error });
    }
    if (error instanceof JwtExpiredError) throw new UnauthorizedError('The bearer token has expired.');
    if (error instanceof JwtBaseError && !(error instanceof ParameterValidationError)) throw new UnauthorizedError(NOT_VALID);
    throw error;
  }
  if (!payload.sub) throw new UnauthorizedError('The bearer token has no subject.');
  const email = emailFrom(payload);
  return { sub: payload.sub, ...(email === undefined ? {} : { email }), roles: rolesFrom(payload, env.rolesClaim) };
}

export function requireRole(identity: Identity | undefined, role: string): Identity {
  if (!identity) throw new UnauthorizedError('This needs a bearer token.');
  if (!identity.roles.includes(role)) throw new ForbiddenError(`This needs the role "${role}".`);
  return identity;
}
