// Compact JWS signing for the provider credentials: RS256 (Google service-account assertions) and
// ES256 (APNs provider tokens), with node:crypto only. ES256 signatures are the raw 64-byte r||s
// form JWS requires (`ieee-p1363`), not DER.
import * as crypto from 'node:crypto';

export type JwtAlgorithm = 'RS256' | 'ES256';

export interface JwtHeader {
  alg: JwtAlgorithm;
  kid?: string;
}

export function base64url(input: Buffer | string): string {
  return Buffer.from(input).toString('base64url');
}

export function signJwt(header: JwtHeader, claims: Record<string, unknown>, key: crypto.KeyObject): string {
  const head = header.kid === undefined ? { alg: header.alg, typ: 'JWT' } : { alg: header.alg, kid: header.kid };
  const signingInput = `${base64url(JSON.stringify(head))}.${base64url(JSON.stringify(claims))}`;
  const signature =
    header.alg === 'ES256'
      ? crypto.sign('sha256', Buffer.from(signingInput), { key, dsaEncoding: 'ieee-p1363' })
      : crypto.sign('sha256', Buffer.from(signingInput), key);
  return `${signingInput}.${base64url(signature)}`;
}

export interface DecodedJwt {
  header: Record<string, unknown>;
  claims: Record<string, unknown>;
}

/** Decodes without verifying (to pick the verification key by `kid`/`iss`); undefined when malformed. */
export function decodeJwt(token: string): DecodedJwt | undefined {
  const parts = token.split('.');
  if (parts.length !== 3) return undefined;
  try {
    const header: unknown = JSON.parse(Buffer.from(parts[0]!, 'base64url').toString('utf8'));
    const claims: unknown = JSON.parse(Buffer.from(parts[1]!, 'base64url').toString('utf8'));
    if (!isObject(header) || !isObject(claims)) return undefined;
    return { header, claims };
  } catch {
    return undefined;
  }
}

/** Verifies the signature with the given public key for the algorithm the caller expects (never the header's). */
export function verifyJwt(token: string, alg: JwtAlgorithm, key: crypto.KeyObject): DecodedJwt | undefined {
  const decoded = decodeJwt(token);
  if (!decoded || decoded.header.alg !== alg) return undefined;
  const lastDot = token.lastIndexOf('.');
  const signingInput = Buffer.from(token.slice(0, lastDot));
  const signature = Buffer.from(token.slice(lastDot + 1), 'base64url');
  const ok =
    alg === 'ES256'
      ? crypto.verify('sha256', signingInput, { key, dsaEncoding: 'ieee-p1363' }, signature)
      : crypto.verify('sha256', signingInput, key, signature);
  return ok ? decoded : undefined;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
