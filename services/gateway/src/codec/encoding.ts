// The encoding port: how gateway payloads become bytes (JSON text or ETF binary) and back.
//
// Snowflake policy: payload objects handed to an encoding already hold snowflakes as decimal
// strings, exactly as they appear in Discord's JSON. Both encodings send them as strings (ETF:
// binaries), so a client sees the same value whatever encoding it chose. A bigint anywhere in a
// payload is a bug upstream: both encoders reject it with an EncodeError instead of guessing
// (JSON.stringify would throw a TypeError, erlpack would silently drop the value).
import { DecodeError } from './errors';
import type { EncodingName } from './gateway-query';

/** The envelope of every gateway frame. `s` and `t` are non-null only for op 0 (DISPATCH). */
export interface GatewayPayload {
  op: number;
  d?: unknown;
  s?: number | null;
  t?: string | null;
}

/** Discord closes with 4002 when a client frame is larger than this. */
export const MAX_CLIENT_FRAME_BYTES = 4096;

/**
 * One dispatch encoded once for every session that gets the same shape. Only the sequence number
 * differs per session, and stamping it never re-serialises: `forSeq` returns the shared bytes
 * (never copied, never mutated) followed by a few bytes that carry `s`. A socket writer sends
 * the pieces as one WebSocket message (writev, or one concatenation per flush).
 */
export interface EncodedDispatch {
  readonly t: string;
  /** WebSocket opcode to use: binary (ETF, compressed) or text (plain JSON). */
  readonly binary: boolean;
  /** Size of the shared part; a frame is this plus a few bytes. For metrics and queue bounds. */
  readonly sharedBytes: number;
  /** The message pieces for one session's sequence number, in order. */
  forSeq(seq: number): readonly Buffer[];
  /**
   * `d` as JSON text, whatever the encoding: what a cross-instance resume sends to the instance
   * that re-encodes it for the client. Computed on demand (only at handoff), from what the
   * dispatch already holds: the JSON head itself, or the source payload it was encoded from.
   */
  payloadJson(): string;
  /**
   * The guild stream event this dispatch carries ("partition:offset:sub_index"), set by the
   * registry when the event came from a guild instance; how a cross-instance resume recognises
   * what both instances delivered.
   */
  eventKey?: string;
}

export interface Encoding {
  readonly name: EncodingName;
  /** Whether this encoding's frames go out as binary WebSocket messages. */
  readonly binary: boolean;
  /**
   * Decodes one inbound client frame into its envelope.
   * @throws DecodeError for malformed data, a non-object envelope, a non-integer `op`, or a
   *   frame over MAX_CLIENT_FRAME_BYTES (the session layer closes with 4002).
   */
  decode(data: Buffer | string): GatewayPayload;
  /** Encodes a non-dispatch frame (HELLO, HEARTBEAT_ACK, RECONNECT, INVALID_SESSION...). */
  encodePayload(payload: GatewayPayload): Buffer;
  /** Encodes a dispatch once, for any number of sessions. */
  encodeDispatch(t: string, d: unknown): EncodedDispatch;
}

/** Frames must be decoded as an object envelope with an integer `op`; anything else is 4002. */
export function assertEnvelope(value: unknown): GatewayPayload {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new DecodeError('payload is not an object');
  }
  const op = (value as { op?: unknown }).op;
  if (typeof op !== 'number' || !Number.isInteger(op)) throw new DecodeError('payload has no integer op');
  return value as GatewayPayload;
}

/** Total size of a frame's pieces. */
export function frameLength(pieces: readonly Buffer[]): number {
  let length = 0;
  for (const piece of pieces) length += piece.length;
  return length;
}

/** The pieces as one Buffer (a copy unless there is only one piece). */
export function joinFrame(pieces: readonly Buffer[]): Buffer {
  return pieces.length === 1 ? pieces[0]! : Buffer.concat(pieces as Buffer[], frameLength(pieces));
}
