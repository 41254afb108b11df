import { createRemoteJWKSet, errors as joseErrors, type JWTPayload, jwtVerify } from 'jose';
import { ForbiddenError, UnauthorizedError } from '#core/errors';
import type { Identity } from '#core/identity';
import type { Env } from '../env.ts';

let jwks: { url: string; set: ReturnType<typeof createRemoteJWKSet> } | undefined;

const keySet = (url: string) => {
  if (jwks?.url !== url) jwks = { url, set: createRemoteJWKSet(new URL(url)) };
  return jwks.set;
};

const rolesFrom = (payload: JWTPayload, claim: string): string[] => {
  const value = payload[claim];
  if (Array.isArray(value)) return value.filter((role): role is string => typeof role === 'string');
  if (typeof value === 'string') return value.split(/[\s,]+/).filter(Boolean);
  return [];
};

/**
 * Verifies a bearer JWT against the issuer's JWKS (signature, issuer, audience, expiry). A token
 * must carry `exp`, as API Gateway's JWT authorizer requires: one without would be good forever.
 * No header: anonymous. A header that does not verify is refused, never treated as anonymous.
 */
export async function identify(authorization: string | undefined, env: Env): Promise<Identity | undefined> {
  if (authorization === undefined || authorization === '') return undefined;
  const match = /^Bearer ([A-Za-z0-9._~+/-]+=*)$/.exec(authorization.trim());
  if (!match?.[1]) throw new UnauthorizedError('The Authorization header must be "Bearer <JWT>".');
  try {
    const { payload } = await jwtVerify(match[1], keySet(env.jwksUrl), {
      issuer: env.jwtIssuer,
      audience: [...env.jwtAudience],
      algorithms: ['RS256', 'ES256'],
      requiredClaims: ['exp'],
    });
    if (!payload.sub) throw new UnauthorizedError('The bearer token has no subject.');
    return {
      sub: payload.sub,
      ...(typeof payload.email === 'string' ? { email: payload.email } : {}),
      roles: rolesFrom(payload, env.rolesClaim),
    };
  } catch (error) {
    if (error instanceof UnauthorizedError) throw error;
    if (error instanceof joseErrors.JWTExpired) throw new UnauthorizedError('The bearer token has expired.');
    if (error instanceof joseErrors.JWTClaimValidationFailed && error.claim === 'exp' && error.reason === 'missing') {
      throw new UnauthorizedError('The bearer token has no expiry ("exp" claim); ask its issuer for a token that expires.');
    }
    if (error instanceof joseErrors.JOSEError) throw new UnauthorizedError('The bearer token is not valid.');
    throw error;
  }
}

export function requireRole(identity: Identity | undefined, role: string): Identity {
  if (!identity) throw new UnauthorizedError('This needs a bearer token.');
  if (!identity.roles.includes(role)) throw new ForbiddenError(`This needs the role "${role}".`);
  return identity;
}
