// Signed tokens in Discord's shape: `base64url(user id).base64url(issued-at).base64url(hmac)`,
// where the first two segments are decimal strings (so clients that decode the first segment to
// get the user id keep working) and the third is HMAC-SHA256 over `segment1.segment2` with the
// gateway's secret. Tokens carry no expiry: they are invalidated by revocation (issued-at before
// the user's cutoff, see auth-store.ts).
import { createHmac, timingSafeEqual } from 'node:crypto';
import { parseSnowflake } from '@switchboard/runtime';
import { AuthenticationError } from './errors';

export interface TokenClaims {
  userId: bigint;
  /** Unix seconds. */
  issuedAt: number;
}

const SEGMENT = /^[A-Za-z0-9_-]+$/;
const MAC_BYTES = 32;
/** Longest accepted token: 20-digit id, 12-digit time, 32-byte MAC, base64url, two dots. */
const MAX_TOKEN_LENGTH = 27 + 16 + 43 + 2;

function encode(text: string | Buffer): string {
  return Buffer.from(text).toString('base64url');
}

/** Decodes a segment only when it is the canonical encoding (no padding, no stray bits). */
function decodeCanonical(segment: string): Buffer | undefined {
  if (!SEGMENT.test(segment)) return undefined;
  const bytes = Buffer.from(segment, 'base64url');
  return bytes.toString('base64url') === segment ? bytes : undefined;
}

export class TokenSigner {
  readonly #key: Buffer;

  constructor(secret: string | Buffer) {
    this.#key = Buffer.from(secret);
    if (this.#key.length === 0) throw new RangeError('token secret must not be empty');
  }

  sign(claims: TokenClaims): string {
    if (claims.userId < 0n || !Number.isSafeInteger(claims.issuedAt) || claims.issuedAt < 0) {
      throw new RangeError('token claims out of range');
    }
    const payload = `${encode(claims.userId.toString())}.${encode(String(claims.issuedAt))}`;
    return `${payload}.${this.#mac(payload).toString('base64url')}`;
  }

  /** The claims of a token this secret signed. @throws AuthenticationError (malformed, bad-signature). */
  verify(token: string): TokenClaims {
    if (typeof token !== 'string' || token.length > MAX_TOKEN_LENGTH) throw new AuthenticationError('malformed');
    const parts = token.split('.');
    if (parts.length !== 3) throw new AuthenticationError('malformed');
    const [idPart, timePart, macPart] = parts as [string, string, string];
    const claims = parseClaims(idPart, timePart);
    const mac = decodeCanonical(macPart);
    if (!claims || !mac || mac.length !== MAC_BYTES) throw new AuthenticationError('malformed');
    // Constant time in the MAC bytes; the lengths compared are public (always 32).
    if (!timingSafeEqual(mac, this.#mac(`${idPart}.${timePart}`))) throw new AuthenticationError('bad-signature');
    return claims;
  }

  #mac(payload: string): Buffer {
    return createHmac('sha256', this.#key).update(payload).digest();
  }
}

function parseClaims(idPart: string, timePart: string): TokenClaims | undefined {
  const id = decodeCanonical(idPart)?.toString('latin1');
  const time = decodeCanonical(timePart)?.toString('latin1');
  if (id === undefined || time === undefined) return undefined;
  // Canonical decimals only: no sign, no leading zeros, so one claim set has one token text.
  if (!/^(0|[1-9]\d{0,19})$/.test(id) || !/^(0|[1-9]\d{0,11})$/.test(time)) return undefined;
  try {
    return { userId: parseSnowflake(id), issuedAt: Number(time) };
  } catch {
    return undefined;
  }
}

/** The user id a token claims, without checking the signature (for logs: never trust it). */
export function unverifiedUserId(token: string): string | undefined {
  const first = token.split('.', 1)[0];
  const id = first === undefined ? undefined : decodeCanonical(first)?.toString('latin1');
  return id !== undefined && /^\d{1,20}$/.test(id) ? id : undefined;
}
