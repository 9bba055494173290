// One error class per codec failure mode. None of them knows about WebSockets: the session layer
// maps them to close codes at the edge, through the table below, so the mapping is data that a
// test can walk rather than a switch spread over the session code.

/** An inbound client frame could not be decoded (bad JSON/ETF, wrong envelope, too large). */
export class DecodeError extends Error {
  override readonly name = 'DecodeError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** An outbound payload cannot be encoded (e.g. a bigint left in it: snowflakes travel as strings). */
export class EncodeError extends Error {
  override readonly name = 'EncodeError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** The `encoding=` query value is neither `json` nor `etf`. */
export class UnsupportedEncodingError extends Error {
  override readonly name = 'UnsupportedEncodingError';
  constructor(readonly value: string) {
    super(`unsupported encoding ${JSON.stringify(value)} (expected json or etf)`);
  }
}

/** The `compress=` query value is neither `zlib-stream` nor `zstd-stream`. */
export class UnsupportedCompressionError extends Error {
  override readonly name = 'UnsupportedCompressionError';
  constructor(readonly value: string) {
    super(`unsupported compress ${JSON.stringify(value)} (expected zlib-stream or zstd-stream)`);
  }
}

/** The `v=` query value is not a gateway version this server speaks. */
export class UnsupportedVersionError extends Error {
  override readonly name = 'UnsupportedVersionError';
  constructor(readonly value: string) {
    super(`unsupported gateway version ${JSON.stringify(value)}`);
  }
}

/** A compression engine failed (never expected for deflate/zstd with valid parameters). */
export class CompressionError extends Error {
  override readonly name = 'CompressionError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/**
 * Close code for each codec error a client can cause. Discord documents 4012 for a bad `v` and
 * 4002 for undecodable payloads; it documents no code for a bad `encoding` or `compress` value,
 * so both are treated as "you sent something we cannot decode" (4002). Both are reconnectable
 * codes, which is harmless: a client that retries with the same URL gets the same answer.
 */
export const CODEC_CLOSE_CODES = {
  DecodeError: 4002,
  UnsupportedEncodingError: 4002,
  UnsupportedCompressionError: 4002,
  UnsupportedVersionError: 4012,
} as const satisfies Record<string, number>;

export type CodecClientError = DecodeError | UnsupportedEncodingError | UnsupportedCompressionError | UnsupportedVersionError;

/** The gateway close code for a codec error a client caused, or undefined for anything else. */
export function codecCloseCode(error: unknown): number | undefined {
  if (!(error instanceof Error)) return undefined;
  return (CODEC_CLOSE_CODES as Record<string, number>)[error.name];
}
