import { pack, unpack } from 'erlpack';
import { joinFrame } from './encoding';
import { DecodeError, EncodeError } from './errors';
import { assertPlainData, etfEncoding } from './etf-encoding';
import { ETF, etfBinary, etfMapHeader } from './etf-terms';

const payloads: Record<string, unknown> = {
  'snowflake strings': { id: '1235178907842511186', guild_id: '81384788765712384', roles: ['1235178907238531087'] },
  unicode: { content: 'héllo wörld – ✓ 👋🏽 日本語 \u0000 end', name: '🎉' },
  'nested arrays and maps': { a: [[1, 2, [3, [4, { b: [{ c: [] }] }]]]], m: { x: { y: { z: {} } } } },
  'null and booleans': { a: null, b: true, c: false, list: [null, true, false] },
  numbers: { small: 7, big: 1_714_560_000_000, negative: -42, float: 0.5, int32: 2 ** 31 - 1 },
  'a large payload': {
    members: Array.from({ length: 2000 }, (_, i) => ({ user: { id: String(1235178907238531115n + BigInt(i)), username: `user${i}` }, roles: [] })),
  },
};

describe('ETF encoding – round trips', () => {
  it.each(Object.entries(payloads))('%s survive a dispatch round trip through erlpack.unpack', (_name, d) => {
    const frame = joinFrame(etfEncoding.encodeDispatch('GUILD_CREATE', d).forSeq(7));
    expect(unpack(frame)).toEqual({ t: 'GUILD_CREATE', op: 0, s: 7, d });
  });

  it.each(Object.entries(payloads))('%s survive a round trip through the gateway decoder', (_name, d) => {
    const packed = etfEncoding.encodePayload({ op: 3, d });
    // Client frames are limited to 4096 bytes; the decoder itself is not.
    if (packed.length <= 4096) expect(etfEncoding.decode(packed)).toEqual({ t: null, s: null, op: 3, d });
    expect(unpack(packed)).toEqual({ t: null, s: null, op: 3, d });
  });

  it('sends snowflakes as binaries (strings), never as integers', () => {
    const frame = joinFrame(etfEncoding.encodeDispatch('X', { id: '81384788765712384' }).forSeq(1));
    expect(frame.includes(Buffer.from('81384788765712384'))).toBe(true);
    expect((unpack(frame) as { d: { id: unknown } }).d.id).toBe('81384788765712384');
  });
});

describe('ETF encoding – refusing what erlpack would silently corrupt', () => {
  it.each([
    ['a bigint', { id: 1n }],
    ['a nested bigint', { a: [{ b: [2n] }] }],
    ['a symbol', { s: Symbol('x') }],
    ['a function', { f: () => 1 }],
    ['a Date', { at: new Date(0) }],
    ['a class instance', { m: new Map() }],
  ])('throws EncodeError for %s', (_what, d) => {
    expect(() => etfEncoding.encodeDispatch('X', d)).toThrow(EncodeError);
    expect(() => assertPlainData(d)).toThrow(EncodeError);
  });

  it('shows why: erlpack drops a bigint value and leaves a corrupt map', () => {
    const packed = pack({ a: 1n, b: 2 } as never);
    // Map of arity 2, key "a" with no value at all, then "b" => 2: undecodable.
    const corrupt = Buffer.concat([Buffer.from([ETF.VERSION]), etfMapHeader(2), etfBinary('a'), etfBinary('b'), Buffer.from([ETF.SMALL_INTEGER_EXT, 2])]);
    expect(packed.equals(corrupt)).toBe(true);
  });

  it('accepts objects without a prototype', () => {
    const d = Object.assign(Object.create(null) as object, { a: 1 });
    expect(unpack(joinFrame(etfEncoding.encodeDispatch('X', d).forSeq(1)))).toEqual({ t: 'X', op: 0, s: 1, d: { a: 1 } });
  });
});

describe('ETF encoding – decoding client frames', () => {
  it('decodes an IDENTIFY packed by erlpack, the way ETF clients send it', () => {
    const identify = { op: 2, d: { token: 'abc', intents: 33_281, properties: { os: 'linux', browser: 'x', device: 'x' }, compress: false, shard: [0, 1] } };
    expect(etfEncoding.decode(pack(identify))).toEqual(identify);
  });

  it.each([
    ['a text frame', '{"op":1}'],
    ['garbage', Buffer.from('not etf at all')],
    ['a truncated term', pack({ op: 1, d: 'abcdef' }).subarray(0, 12)],
    ['a non-map envelope', pack([1, 2])],
    ['a map without op', pack({ d: 1 })],
    ['a float op', pack({ op: 1.5 })],
    ['an oversized frame', pack({ op: 1, d: 'x'.repeat(5000) })],
  ])('throws DecodeError for %s', (_what, frame) => {
    expect(() => etfEncoding.decode(frame)).toThrow(DecodeError);
  });
});
