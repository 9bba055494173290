// JSON encoding: text frames, what discord.js and @discordjs/ws speak.
import { JsonDispatch } from './dispatch-frame';
import { assertEnvelope, MAX_CLIENT_FRAME_BYTES } from './encoding';
import type { Encoding, GatewayPayload } from './encoding';
import { DecodeError, EncodeError } from './errors';

/** JSON.stringify that reports a bigint (or any other unserialisable value) as an EncodeError. */
export function stringifyPayload(value: unknown): string {
  try {
    return JSON.stringify(value) ?? 'null';
  } catch (error) {
    throw new EncodeError('payload is not JSON-serialisable (snowflakes must be strings, not bigint)', { cause: error });
  }
}

export class JsonEncoding implements Encoding {
  readonly name = 'json' as const;
  readonly binary = false;

  decode(data: Buffer | string): GatewayPayload {
    const size = typeof data === 'string' ? Buffer.byteLength(data) : data.length;
    if (size > MAX_CLIENT_FRAME_BYTES) throw new DecodeError(`frame of ${size} bytes exceeds ${MAX_CLIENT_FRAME_BYTES}`);
    let value: unknown;
    try {
      value = JSON.parse(typeof data === 'string' ? data : data.toString('utf8'));
    } catch (error) {
      throw new DecodeError('malformed JSON', { cause: error });
    }
    return assertEnvelope(value);
  }

  encodePayload(payload: GatewayPayload): Buffer {
    // Discord's own frames always carry all four keys; t/s are null outside dispatches.
    const envelope = { t: payload.t ?? null, s: payload.s ?? null, op: payload.op, d: payload.d ?? null };
    return Buffer.from(stringifyPayload(envelope), 'utf8');
  }

  encodeDispatch(t: string, d: unknown): JsonDispatch {
    return new JsonDispatch(t, stringifyPayload(d));
  }
}

export const jsonEncoding = new JsonEncoding();
