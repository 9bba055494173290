// Where the token signing key comes from. Cluster mode requires GATEWAY_TOKEN_SECRET (every
// instance must verify what any instance or the CLI minted). Embedded mode (`make dev`) falls back
// to a key derived from a fixed, public string: tokens then survive restarts and the CLI mints
// tokens the dev server accepts, but anyone can forge them. start.ts logs that loudly.
import { createHash } from 'node:crypto';
import { ConfigError } from '@switchboard/runtime';
import type { RunMode } from '@switchboard/runtime';

export const TOKEN_SECRET_VARIABLE = 'GATEWAY_TOKEN_SECRET';
export const MIN_TOKEN_SECRET_LENGTH = 32;

/** The well-known embedded-mode key: sha256 of a public label. Never acceptable in production. */
export const EMBEDDED_DEV_TOKEN_SECRET = createHash('sha256').update('switchboard embedded dev token secret v1').digest('hex');

export type TokenSecretSource = 'configured' | 'embedded-dev-default';

export interface ResolvedTokenSecret {
  tokenSecret: string;
  tokenSecretSource: TokenSecretSource;
}

export function resolveTokenSecret(mode: RunMode, configured: string | undefined): ResolvedTokenSecret {
  if (configured !== undefined) {
    if (configured.length < MIN_TOKEN_SECRET_LENGTH) {
      throw new ConfigError(TOKEN_SECRET_VARIABLE, `must be at least ${MIN_TOKEN_SECRET_LENGTH} characters (got ${configured.length})`);
    }
    return { tokenSecret: configured, tokenSecretSource: 'configured' };
  }
  if (mode === 'cluster') throw new ConfigError(TOKEN_SECRET_VARIABLE, 'is required when SWITCHBOARD_MODE=cluster');
  return { tokenSecret: EMBEDDED_DEV_TOKEN_SECRET, tokenSecretSource: 'embedded-dev-default' };
}

export const DEV_SECRET_WARNING =
  'GATEWAY_TOKEN_SECRET is unset: signing tokens with the well-known embedded dev key. Tokens survive ' +
  'restarts, but ANYONE can forge them. Set GATEWAY_TOKEN_SECRET for anything but local development.';

/** GATEWAY_PUBLIC_URL: a ws:// or wss:// URL without query string or fragment (clients append `?v=10&...`). */
export function validatePublicUrl(value: string | undefined): void {
  if (value === undefined) return;
  const variable = 'GATEWAY_PUBLIC_URL';
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigError(variable, `must be a ws:// or wss:// URL (got "${value}")`);
  }
  if (url.protocol !== 'ws:' && url.protocol !== 'wss:') throw new ConfigError(variable, `must be a ws:// or wss:// URL (got "${value}")`);
  if (url.search !== '' || url.hash !== '' || value.includes('?')) {
    throw new ConfigError(variable, `must not carry a query string or fragment (got "${value}")`);
  }
}
