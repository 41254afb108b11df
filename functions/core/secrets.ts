import { createHash, randomBytes } from 'node:crypto';

/** 256 random bits, URL-safe. Shown to its recipient once; only its hash is stored. */
export const newSecret = (): string => randomBytes(32).toString('base64url');

/** SHA-256 of a secret, hex. The only form in which tokens and approval links are stored. */
export const hashSecret = (secret: string): string => createHash('sha256').update(secret, 'utf8').digest('hex');

/** A secret as it arrives in a path: 43 base64url characters. Anything else is not one of ours. */
export const SECRET_PATTERN = /^[A-Za-z0-9_-]{43}$/;
