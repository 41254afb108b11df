import { type JWTPayload, type JWTVerifyGetKey, jwtVerify } from 'jose';

/** What API Gateway's JWT authorizer is configured with (`JwtConfiguration`), and the algorithms it verifies. */
export interface JwtAuthorizerConfig {
  /** The `iss` a token must carry, exactly. */
  readonly issuer: string;
  /** A token's `aud` must contain one of these; a token without `aud` must have one as its `client_id`. */
  readonly audiences: readonly string[];
  /**
   * Signature algorithms verified.
   * @default RSA_ALGORITHMS (API Gateway's)
   */
  readonly algorithms?: readonly string[];
}

/**
 * API Gateway verifies RSA-based signatures only (step 3 of the workflow in
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-jwt-authorizer.html): an ES256
 * issuer's tokens are refused on AWS.
 */
export const RSA_ALGORITHMS: readonly string[] = ['RS256', 'RS384', 'RS512'];

/** API Gateway's audience rule: `aud` when the token has one (string or list), else `client_id`. */
const forAudience = (payload: JWTPayload, audiences: readonly string[]): boolean => {
  if (payload.aud !== undefined) return [payload.aud].flat().some((aud) => audiences.includes(aud));
  return typeof payload.client_id === 'string' && audiences.includes(payload.client_id);
};

/**
 * The local gateway's stand-in for API Gateway's JWT authorizer: the claims of a token it would
 * accept, or undefined. As API Gateway does
 * (https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-jwt-authorizer.html):
 * the signature against the issuer's keys, found by the header's `kid` (required); `iss` equal to the
 * issuer; `exp` required and in the future; `nbf` and `iat` (when present) not in the future; and the
 * audience: "the JWT's aud or client_id claim must match one of the audience entries that's
 * configured for the authorizer. API Gateway validates client_id only if aud is not present. When
 * both aud and client_id are present, API Gateway evaluates aud"
 * (https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-troubleshooting-jwt.html).
 * So a Cognito access token (`client_id`, no `aud`) and ID token (`aud`) pass; its refresh token
 * (neither) does not. Keep it exactly as strict, no more and no less: a token accepted here and
 * refused on AWS (or the reverse) makes local mode lie.
 */
export async function verifyAsApiGateway(
  token: string,
  keys: JWTVerifyGetKey,
  authorizer: JwtAuthorizerConfig,
  now: () => number = Date.now,
): Promise<Record<string, unknown> | undefined> {
  try {
    const currentDate = new Date(now());
    const { payload, protectedHeader } = await jwtVerify(token, keys, {
      issuer: authorizer.issuer,
      algorithms: [...(authorizer.algorithms ?? RSA_ALGORITHMS)],
      requiredClaims: ['exp'],
      currentDate,
    });
    if (typeof protectedHeader.kid !== 'string') return undefined;
    if (typeof payload.iat === 'number' && payload.iat > Math.floor(currentDate.getTime() / 1000)) return undefined;
    if (!forAudience(payload, authorizer.audiences)) return undefined;
    return payload as Record<string, unknown>;
  } catch {
    return undefined;
  }
}
