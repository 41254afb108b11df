import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { exportJWK, generateKeyPair, importJWK, type JWK, SignJWT } from 'jose';

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
