import { pack, unpack } from 'erlpack';
import { ETF, etfBinary, etfIntegerLength, etfMapHeader, writeEtfInteger } from './etf-terms';

function integerTerm(value: number): Buffer {
  const term = Buffer.alloc(1 + etfIntegerLength(value));
  term[0] = ETF.VERSION;
  expect(writeEtfInteger(term, 1, value)).toBe(term.length);
  return term;
}

describe('ETF terms – integers written by hand', () => {
  it('uses SMALL_INTEGER_EXT for 0..255, INTEGER_EXT for int32, SMALL_BIG_EXT beyond', () => {
    expect(integerTerm(0)[1]).toBe(ETF.SMALL_INTEGER_EXT);
    expect(integerTerm(255)[1]).toBe(ETF.SMALL_INTEGER_EXT);
    expect(integerTerm(256)[1]).toBe(ETF.INTEGER_EXT);
    expect(integerTerm(-1)[1]).toBe(ETF.INTEGER_EXT);
    expect(integerTerm(2 ** 31 - 1)[1]).toBe(ETF.INTEGER_EXT);
    expect(integerTerm(2 ** 31)[1]).toBe(ETF.SMALL_BIG_EXT);
    expect(integerTerm(-(2 ** 31) - 1)[1]).toBe(ETF.SMALL_BIG_EXT);
  });

  it('matches erlpack byte for byte where erlpack writes integers (int32, and uint32 as a bignum)', () => {
    for (const value of [0, 1, 254, 255, 256, 257, 65_535, 65_536, -1, -256, 2 ** 31 - 1, -(2 ** 31), 2 ** 31, 2 ** 32 - 1]) {
      expect(integerTerm(value).equals(pack(value))).toBe(true);
    }
  });

  it('round-trips through erlpack.unpack around every boundary', () => {
    const values = [0, 1, 255, 256, 2 ** 16, 2 ** 24, 2 ** 31 - 2, 2 ** 31 - 1, 2 ** 31, 2 ** 31 + 1, 2 ** 32 - 1, -5, -(2 ** 31)];
    for (const value of values) expect(unpack(integerTerm(value))).toBe(value);
    // erlpack reads bignums wider than 4 bytes as decimal strings.
    for (const value of [2 ** 32, 2 ** 48 + 3, Number.MAX_SAFE_INTEGER, -(2 ** 40)]) expect(unpack(integerTerm(value))).toBe(String(value));
  });
});

describe('ETF terms – binaries and map headers', () => {
  it('writes strings as BINARY_EXT, the way erlpack does', () => {
    for (const text of ['', 't', 'MESSAGE_CREATE', 'héllo 👋']) {
      expect(Buffer.concat([Buffer.from([ETF.VERSION]), etfBinary(text)]).equals(pack(text))).toBe(true);
    }
  });

  it('writes a map header erlpack reads', () => {
    const term = Buffer.concat([Buffer.from([ETF.VERSION]), etfMapHeader(1), etfBinary('k'), etfBinary('v')]);
    expect(unpack(term)).toEqual({ k: 'v' });
  });
});
