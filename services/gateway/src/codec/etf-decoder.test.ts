import { pack, unpack } from 'erlpack';
import { DecodeError } from './errors';
import { decodeEtf } from './etf-decoder';
import { ETF } from './etf-terms';

const frame = (...bytes: number[]) => Buffer.from([ETF.VERSION, ...bytes]);

describe('ETF decoder – agrees with erlpack on well-formed terms', () => {
  it.each([
    0, 255, 256, -1, 2 ** 31 - 1, -(2 ** 31), 2 ** 31, 2 ** 32 - 1, 2 ** 32, 2 ** 40, 0.25, -1.5e300,
    '', 'text', 'ünïcødé 👋', true, false, null, [], [1, 'a', [null]], {}, { a: { b: [1, { c: 'd' }] } },
  ])('%p', (value) => {
    const packed = pack(value);
    expect(decodeEtf(packed)).toEqual(unpack(packed));
  });

  it('reads atoms: nil and null as null, true/false as booleans, others as strings', () => {
    const atom = (name: string) => frame(ETF.SMALL_ATOM_UTF8_EXT, name.length, ...Buffer.from(name));
    expect(decodeEtf(atom('nil'))).toBeNull();
    expect(decodeEtf(atom('null'))).toBeNull();
    expect(decodeEtf(atom('true'))).toBe(true);
    expect(decodeEtf(frame(ETF.ATOM_EXT, 0, 5, ...Buffer.from('false')))).toBe(false);
    expect(decodeEtf(frame(ETF.SMALL_ATOM_EXT, 2, ...Buffer.from('ok')))).toBe('ok');
    expect(decodeEtf(frame(ETF.ATOM_UTF8_EXT, 0, 2, ...Buffer.from('hi')))).toBe('hi');
  });

  it('reads tuples and STRING_EXT as erlpack does (arrays)', () => {
    expect(decodeEtf(frame(ETF.SMALL_TUPLE_EXT, 2, ETF.SMALL_INTEGER_EXT, 1, ETF.NIL_EXT))).toEqual([1, []]);
    expect(decodeEtf(frame(ETF.STRING_EXT, 0, 3, 104, 105, 33))).toEqual([104, 105, 33]);
  });

  it('reads snowflakes sent as 64-bit integers as decimal strings', () => {
    const id = 1235178907842511186n;
    const digits = Array.from({ length: 8 }, (_, i) => Number((id >> BigInt(8 * i)) & 0xffn));
    expect(decodeEtf(frame(ETF.SMALL_BIG_EXT, 8, 0, ...digits))).toBe('1235178907842511186');
  });
});

describe('ETF decoder – hostile client frames', () => {
  it('rejects a list claiming 2^31 elements (erlpack.unpack aborts the process on it)', () => {
    expect(() => decodeEtf(frame(ETF.LIST_EXT, 0x7f, 0xff, 0xff, 0xff))).toThrow(DecodeError);
    expect(() => decodeEtf(frame(ETF.LARGE_TUPLE_EXT, 0xff, 0xff, 0xff, 0xff))).toThrow(DecodeError);
    expect(() => decodeEtf(frame(ETF.MAP_EXT, 0x7f, 0xff, 0xff, 0xff))).toThrow(DecodeError);
  });

  it('rejects COMPRESSED terms and other tags clients never need', () => {
    expect(() => decodeEtf(frame(80, 0xff, 0xff, 0xff, 0xff, 0x78, 0x9c))).toThrow(DecodeError);
    for (const tag of [ETF.VERSION, 90, 101, 102, 103, 113, 77, 255]) expect(() => decodeEtf(frame(tag, 0, 0, 0, 0))).toThrow(DecodeError);
  });

  it('rejects lengths that run past the end, trailing bytes and a wrong version', () => {
    expect(() => decodeEtf(frame(ETF.BINARY_EXT, 0, 0, 0, 10, 65))).toThrow(DecodeError);
    expect(() => decodeEtf(frame(ETF.SMALL_INTEGER_EXT))).toThrow(DecodeError);
    expect(() => decodeEtf(frame(ETF.SMALL_INTEGER_EXT, 1, 2))).toThrow(DecodeError);
    expect(() => decodeEtf(Buffer.from([130, ETF.NIL_EXT]))).toThrow(DecodeError);
    expect(() => decodeEtf(Buffer.alloc(0))).toThrow(DecodeError);
    expect(() => decodeEtf(frame(ETF.LIST_EXT, 0, 0, 0, 1, ETF.SMALL_INTEGER_EXT, 1, ETF.SMALL_INTEGER_EXT, 2))).toThrow(DecodeError);
  });

  it('rejects integers wider than 64 bits', () => {
    expect(() => decodeEtf(frame(ETF.SMALL_BIG_EXT, 9, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1))).toThrow(DecodeError);
  });

  it('rejects nesting deeper than the limit', () => {
    const depth = 200;
    const bytes = [...Array.from({ length: depth }, () => [ETF.LIST_EXT, 0, 0, 0, 1]).flat(), ETF.NIL_EXT, ...Array<number>(depth).fill(ETF.NIL_EXT)];
    expect(() => decodeEtf(frame(...bytes))).toThrow(/nested too deeply/);
    expect(decodeEtf(frame(...bytes), { maxDepth: 256 })).toBeDefined();
  });

  it('rejects atom map keys unless asked to accept them (Discord closes 4002 for them)', () => {
    const atomKeyed = frame(ETF.MAP_EXT, 0, 0, 0, 1, ETF.SMALL_ATOM_EXT, 2, 111, 112, ETF.SMALL_INTEGER_EXT, 1);
    expect(() => decodeEtf(atomKeyed)).toThrow(/map keys must be binaries/);
    expect(decodeEtf(atomKeyed, { atomKeys: true })).toEqual({ op: 1 });
    const intKeyed = frame(ETF.MAP_EXT, 0, 0, 0, 1, ETF.SMALL_INTEGER_EXT, 1, ETF.SMALL_INTEGER_EXT, 1);
    expect(() => decodeEtf(intKeyed, { atomKeys: true })).toThrow(DecodeError);
  });

  it('keeps a "__proto__" key as an own property, never as the prototype', () => {
    const decoded = decodeEtf(pack({ op: 1, ['__proto__']: { admin: true } } as never)) as Record<string, unknown>;
    expect(Object.getPrototypeOf(decoded)).toBe(Object.prototype);
    expect((decoded as { admin?: unknown }).admin).toBeUndefined();
  });
});
