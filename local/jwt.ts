import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { exportJWK, generateKeyPair, importJWK, type JWK, type JWTVerifyGetKey, jwtVerify, SignJWT } from 'jose';

export const LOCAL_ISSUER = 'https://assent.local/';
export const LOCAL_AUDIENCE = 'assent';

export interface LocalKeys {
  readonly jwks: { keys: JWK[] };
  sign(claims: { sub: string; email?: string; roles: string[] }, expiresIn?: string): Promise<string>;
}

/**
 * The local stand-in for an OIDC issuer: an ES256 key pair kept in `file` (so tokens survive
 * restarts), its public JWKS (served by the gateway) and a signer for admin and test tokens.
 */
export async function loadLocalKeys(file: string): Promise<LocalKeys> {
  let stored: { privateJwk: JWK; publicJwk: JWK };
  if (existsSync(file)) {
    stored = JSON.parse(readFileSync(file, 'utf8'));
  } else {
    const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
    stored = { privateJwk: await exportJWK(privateKey), publicJwk: { ...(await exportJWK(publicKey)), kid: 'local-1', alg: 'ES256', use: 'sig' } };
    writeFileSync(file, JSON.stringify(stored), { mode: 0o600 });
  }
  const privateKey = await importJWK(stored.privateJwk, 'ES256');
  return {
    jwks: { keys: [stored.publicJwk] },
    sign: (claims, expiresIn = '30d') =>
      new SignJWT({ ...claims })
        .setProtectedHeader({ alg: 'ES256', kid: 'local-1' })
        .setIssuer(LOCAL_ISSUER)
        .setAudience(LOCAL_AUDIENCE)
        .setSubject(claims.sub)
        .setIssuedAt()
        .setExpirationTime(expiresIn)
        .sign(privateKey),
  };
}

/**
 * The local gateway's stand-in for API Gateway's JWT authorizer: the claims of a token it would
 * accept, or undefined. As API Gateway does: the signature against the issuer's keys, `iss`, `aud`,
 * and `exp` required and in the future, `nbf` and `iat` (when present) not in the future. Keep it
 * exactly as strict, no more and no less: a token accepted here and refused on AWS (or the reverse)
 * makes local mode lie.
 */
export async function verifyAsApiGateway(token: string, keys: JWTVerifyGetKey, now: () => number = Date.now): Promise<Record<string, unknown> | undefined> {
  try {
    const currentDate = new Date(now());
    const { payload } = await jwtVerify(token, keys, { issuer: LOCAL_ISSUER, audience: LOCAL_AUDIENCE, requiredClaims: ['exp'], currentDate });
    if (typeof payload.iat === 'number' && payload.iat > Math.floor(currentDate.getTime() / 1000)) return undefined;
    return payload as Record<string, unknown>;
  } catch {
    return undefined;
  }
}
