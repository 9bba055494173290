// The few Erlang External Term Format pieces the gateway writes by hand: the envelope of a
// dispatch and its sequence number. Everything inside `d` is packed by erlpack. Tags and layouts
// follow erts' "External Term Format" chapter (all multi-byte integers big-endian, except the
// digits of a bignum, which are little-endian).

export const ETF = {
  VERSION: 131,
  NEW_FLOAT_EXT: 70,
  SMALL_INTEGER_EXT: 97,
  INTEGER_EXT: 98,
  FLOAT_EXT: 99,
  ATOM_EXT: 100,
  SMALL_TUPLE_EXT: 104,
  LARGE_TUPLE_EXT: 105,
  NIL_EXT: 106,
  STRING_EXT: 107,
  LIST_EXT: 108,
  BINARY_EXT: 109,
  SMALL_BIG_EXT: 110,
  LARGE_BIG_EXT: 111,
  SMALL_ATOM_EXT: 115,
  MAP_EXT: 116,
  ATOM_UTF8_EXT: 118,
  SMALL_ATOM_UTF8_EXT: 119,
} as const;

/** Bytes an integer term takes: SMALL_INTEGER_EXT 2, INTEGER_EXT 5, SMALL_BIG_EXT 3 + digits. */
export function etfIntegerLength(value: number): number {
  if (value >= 0 && value <= 255) return 2;
  if (value >= -0x80000000 && value <= 0x7fffffff) return 5;
  let digits = 0;
  for (let rest = Math.abs(value); rest > 0; rest = Math.floor(rest / 256)) digits++;
  return 3 + digits;
}

/**
 * Writes a safe integer the way erlpack (and Erlang) expect: 0..255 as SMALL_INTEGER_EXT, other
 * int32 values as INTEGER_EXT, anything larger as SMALL_BIG_EXT (sign byte, little-endian
 * digits). Division instead of bit shifts because shifts truncate to 32 bits.
 * @returns the offset after the term.
 */
export function writeEtfInteger(target: Buffer, offset: number, value: number): number {
  if (value >= 0 && value <= 255) {
    target[offset] = ETF.SMALL_INTEGER_EXT;
    target[offset + 1] = value;
    return offset + 2;
  }
  if (value >= -0x80000000 && value <= 0x7fffffff) {
    target[offset] = ETF.INTEGER_EXT;
    target.writeInt32BE(value, offset + 1);
    return offset + 5;
  }
  const digitsAt = offset + 3;
  let digits = 0;
  for (let rest = Math.abs(value); rest > 0; rest = Math.floor(rest / 256)) target[digitsAt + digits++] = rest % 256;
  target[offset] = ETF.SMALL_BIG_EXT;
  target[offset + 1] = digits;
  target[offset + 2] = value < 0 ? 1 : 0;
  return digitsAt + digits;
}

/** A BINARY_EXT term: how erlpack writes JS strings, and how the gateway writes keys and `t`. */
export function etfBinary(text: string): Buffer {
  const length = Buffer.byteLength(text);
  const term = Buffer.allocUnsafe(5 + length);
  term[0] = ETF.BINARY_EXT;
  term.writeUInt32BE(length, 1);
  term.write(text, 5, 'utf8');
  return term;
}

/** MAP_EXT header for `arity` key/value pairs. */
export function etfMapHeader(arity: number): Buffer {
  const header = Buffer.allocUnsafe(5);
  header[0] = ETF.MAP_EXT;
  header.writeUInt32BE(arity, 1);
  return header;
}
