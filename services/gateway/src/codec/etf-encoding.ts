// ETF encoding: binary frames in Erlang's External Term Format, as Discord's erlpack speaks it.
// Outbound terms are packed by erlpack (native, trusted input: our own payloads); inbound client
// frames go through the bounded decoder in etf-decoder.ts, never erlpack.unpack.
import { pack } from 'erlpack';
import { EtfDispatch } from './dispatch-frame';
import { assertEnvelope, MAX_CLIENT_FRAME_BYTES } from './encoding';
import type { Encoding, GatewayPayload } from './encoding';
import { DecodeError, EncodeError } from './errors';
import { decodeEtf } from './etf-decoder';

const MAX_PACK_DEPTH = 256;

/**
 * erlpack writes nothing at all for a bigint, symbol or function (leaving a map with a key and
 * no value: a corrupt term) and turns a Date or class instance into an empty map, where
 * JSON.stringify would throw or call toJSON. So a payload is checked to be plain data first, and
 * both encodings refuse the same mistakes. Cost: one walk per encoded event, not per session.
 */
export function assertPlainData(value: unknown, key = 'd', depth = 0): void {
  if (depth > MAX_PACK_DEPTH) throw new EncodeError(`payload nested deeper than ${MAX_PACK_DEPTH} (at key ${key})`);
  switch (typeof value) {
    case 'string':
    case 'number':
    case 'boolean':
    case 'undefined':
      return;
    case 'object':
      if (value === null) return;
      if (Array.isArray(value)) {
        for (let i = 0; i < value.length; i++) assertPlainData(value[i], key, depth + 1);
        return;
      }
      assertPlainObject(value, key, depth);
      return;
    default:
      throw new EncodeError(`a ${typeof value} (at key ${key}) cannot be encoded; snowflakes must be strings, not bigint`);
  }
}

function assertPlainObject(value: object, key: string, depth: number): void {
  const proto = Object.getPrototypeOf(value) as unknown;
  if (proto !== Object.prototype && proto !== null) throw new EncodeError(`a non-plain object (at key ${key}) cannot be encoded`);
  for (const name in value) assertPlainData((value as Record<string, unknown>)[name], name, depth + 1);
}

/** erlpack.pack after the plain-data check. */
export function packTerm(value: unknown): Buffer {
  assertPlainData(value);
  try {
    return pack(value);
  } catch (error) {
    throw new EncodeError('erlpack could not pack the payload', { cause: error });
  }
}

export class EtfEncoding implements Encoding {
  readonly name = 'etf' as const;
  readonly binary = true;

  decode(data: Buffer | string): GatewayPayload {
    if (typeof data === 'string') throw new DecodeError('ETF frames must be binary');
    if (data.length > MAX_CLIENT_FRAME_BYTES) throw new DecodeError(`frame of ${data.length} bytes exceeds ${MAX_CLIENT_FRAME_BYTES}`);
    return assertEnvelope(decodeEtf(data));
  }

  encodePayload(payload: GatewayPayload): Buffer {
    return packTerm({ t: payload.t ?? null, s: payload.s ?? null, op: payload.op, d: payload.d ?? null });
  }

  encodeDispatch(t: string, d: unknown): EtfDispatch {
    return new EtfDispatch(t, packTerm(d ?? null), d ?? null);
  }
}

export const etfEncoding = new EtfEncoding();
