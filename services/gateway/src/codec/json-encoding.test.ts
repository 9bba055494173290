import { MAX_CLIENT_FRAME_BYTES } from './encoding';
import { DecodeError, EncodeError } from './errors';
import { jsonEncoding } from './json-encoding';

describe('JSON encoding – decoding client frames', () => {
  it('decodes text and binary frames into the envelope', () => {
    const identify = { op: 2, d: { token: 't', intents: 513, properties: { os: 'linux' } } };
    expect(jsonEncoding.decode(JSON.stringify(identify))).toEqual(identify);
    expect(jsonEncoding.decode(Buffer.from(JSON.stringify({ op: 1, d: null })))).toEqual({ op: 1, d: null });
  });

  it.each([
    ['malformed JSON', '{"op":1,'],
    ['an empty frame', ''],
    ['a non-object', '42'],
    ['null', 'null'],
    ['an array', '[1,2]'],
    ['a missing op', '{"d":1}'],
    ['a string op', '{"op":"1"}'],
    ['a fractional op', '{"op":1.5}'],
  ])('throws DecodeError for %s', (_what, frame) => {
    expect(() => jsonEncoding.decode(frame)).toThrow(DecodeError);
  });

  it('keeps the parse error as the cause', () => {
    try {
      jsonEncoding.decode('{oops');
      throw new Error('expected a DecodeError');
    } catch (error) {
      expect(error).toBeInstanceOf(DecodeError);
      expect((error as DecodeError).cause).toBeInstanceOf(SyntaxError);
    }
  });

  it('accepts a frame of exactly 4096 bytes and rejects one byte more', () => {
    const frame = (size: number) => {
      const base = '{"op":1,"d":""}';
      return `{"op":1,"d":"${'x'.repeat(size - base.length)}"}`;
    };
    expect(Buffer.byteLength(frame(MAX_CLIENT_FRAME_BYTES))).toBe(4096);
    expect(jsonEncoding.decode(frame(MAX_CLIENT_FRAME_BYTES)).op).toBe(1);
    expect(() => jsonEncoding.decode(frame(MAX_CLIENT_FRAME_BYTES + 1))).toThrow(DecodeError);
    expect(() => jsonEncoding.decode(Buffer.from(frame(MAX_CLIENT_FRAME_BYTES + 1)))).toThrow(DecodeError);
  });

  it('keeps a "__proto__" key as data, never as the prototype', () => {
    const decoded = jsonEncoding.decode('{"op":1,"d":{"__proto__":{"admin":true}}}');
    expect((decoded.d as { admin?: boolean }).admin).toBeUndefined();
  });
});

describe('JSON encoding – outbound frames', () => {
  it('writes non-dispatch frames with all four keys, t and s null', () => {
    expect(JSON.parse(jsonEncoding.encodePayload({ op: 10, d: { heartbeat_interval: 41_250 } }).toString())).toEqual({
      t: null, s: null, op: 10, d: { heartbeat_interval: 41_250 },
    });
    expect(JSON.parse(jsonEncoding.encodePayload({ op: 11 }).toString())).toEqual({ t: null, s: null, op: 11, d: null });
    expect(JSON.parse(jsonEncoding.encodePayload({ op: 9, d: false }).toString()).d).toBe(false);
  });

  it('goes out as text frames', () => {
    expect(jsonEncoding.binary).toBe(false);
    expect(jsonEncoding.encodeDispatch('READY', {}).binary).toBe(false);
  });

  it('refuses a bigint snowflake with an EncodeError instead of a TypeError', () => {
    expect(() => jsonEncoding.encodeDispatch('MESSAGE_CREATE', { id: 1235178907842511186n })).toThrow(EncodeError);
    expect(() => jsonEncoding.encodePayload({ op: 0, d: { id: 1n } })).toThrow(EncodeError);
  });
});
