// The connection URL's query (`?v=10&encoding=json&compress=zlib-stream`) → what the codec layer
// needs for this connection. Parsed once at upgrade; a bad value is a typed error that the session
// layer turns into a close (see CODEC_CLOSE_CODES), after the WebSocket is open, as Discord does.
import { UnsupportedCompressionError, UnsupportedEncodingError, UnsupportedVersionError } from './errors';

export const ENCODINGS = ['json', 'etf'] as const;
export type EncodingName = (typeof ENCODINGS)[number];

export const TRANSPORT_COMPRESSIONS = ['zlib-stream', 'zstd-stream'] as const;
export type TransportCompressionName = (typeof TRANSPORT_COMPRESSIONS)[number];

/** Versions this gateway speaks. discord.js and @discordjs/ws connect with v=10. */
export const SUPPORTED_GATEWAY_VERSIONS: readonly number[] = [10];

export interface GatewayQuery {
  readonly version: number;
  readonly encoding: EncodingName;
  /** `undefined`: no transport compression (payload compression may still be asked in IDENTIFY). */
  readonly compression: TransportCompressionName | undefined;
}

/**
 * Reads `v`, `encoding` and `compress`. Missing values take Discord's defaults for what we speak:
 * v=10, json, no transport compression. Empty values count as missing, because some clients build
 * the URL with `compress=` when compression is off.
 *
 * @throws UnsupportedVersionError (close 4012), UnsupportedEncodingError or
 *   UnsupportedCompressionError (close 4002).
 */
export function parseGatewayQuery(query: URLSearchParams | string): GatewayQuery {
  const params = typeof query === 'string' ? new URLSearchParams(query) : query;
  return {
    version: parseVersion(params.get('v')),
    encoding: parseEncoding(params.get('encoding')),
    compression: parseCompression(params.get('compress')),
  };
}

export function parseVersion(value: string | null): number {
  if (value === null || value === '') return 10;
  const version = /^\d{1,3}$/.test(value) ? Number(value) : Number.NaN;
  if (!SUPPORTED_GATEWAY_VERSIONS.includes(version)) throw new UnsupportedVersionError(value);
  return version;
}

export function parseEncoding(value: string | null): EncodingName {
  if (value === null || value === '') return 'json';
  if (!(ENCODINGS as readonly string[]).includes(value)) throw new UnsupportedEncodingError(value);
  return value as EncodingName;
}

export function parseCompression(value: string | null): TransportCompressionName | undefined {
  if (value === null || value === '') return undefined;
  if (!(TRANSPORT_COMPRESSIONS as readonly string[]).includes(value)) throw new UnsupportedCompressionError(value);
  return value as TransportCompressionName;
}
