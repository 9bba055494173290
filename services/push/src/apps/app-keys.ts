// Checks the providers' signing keys when the config loads, so a truncated or wrong key fails
// the start with its entry named instead of every send failing later with an auth error.
import { createPrivateKey } from 'node:crypto';
import type { KeyObject } from 'node:crypto';

/**
 * Keys pasted into JSON or an environment variable often arrive with their newlines written as
 * the two characters `\n`; PEM needs real ones.
 */
export function normalizePem(text: string): string {
  return text.includes('\n') ? text : text.replace(/\\n/g, '\n');
}

function parseKey(pem: string): KeyObject | undefined {
  try {
    return createPrivateKey({ key: pem, format: 'pem' });
  } catch {
    return undefined;
  }
}

/** Why the PEM is not a usable RSA key (Google service accounts), or undefined when it is. */
export function rsaKeyProblem(pem: string): string | undefined {
  const key = parseKey(pem);
  if (!key) return 'must be a PEM private key (BEGIN PRIVATE KEY)';
  if (key.asymmetricKeyType !== 'rsa') return `must be an RSA key (got ${key.asymmetricKeyType})`;
  return undefined;
}

/** Why the PEM is not an APNs signing key (.p8: a P-256 EC key), or undefined when it is. */
export function apnsKeyProblem(pem: string): string | undefined {
  const key = parseKey(pem);
  if (!key) return 'must be a PEM private key (the .p8 file from Apple)';
  if (key.asymmetricKeyType !== 'ec' || key.asymmetricKeyDetails?.namedCurve !== 'prime256v1') {
    return `must be a P-256 EC key (ES256), got ${key.asymmetricKeyType}${key.asymmetricKeyDetails?.namedCurve ? ` ${key.asymmetricKeyDetails.namedCurve}` : ''}`;
  }
  return undefined;
}
