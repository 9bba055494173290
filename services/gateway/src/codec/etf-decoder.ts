// A bounded ETF decoder for bytes we did not write. erlpack.unpack is not safe on client input:
// a 6-byte frame declaring a list of 2^31 elements makes V8 abort the whole process (it sizes the
// array before reading it), a COMPRESSED term makes it malloc whatever size the client claims and
// read uninitialised memory, a `__proto__` key replaces the object's prototype, and every error
// is printf'ed to stdout. Client frames are at most 4096 bytes, so a small TypeScript decoder is
// fast enough and can check every length against the bytes that are really there.
//
// Values map as erlpack maps them, so both decoders agree on well-formed input: binaries →
// strings, integers → numbers, bignums of more than 4 bytes → decimal strings (snowflakes),
// atoms nil/null → null, true/false → booleans, other atoms → strings, lists and tuples →
// arrays, STRING_EXT → an array of byte values, maps → plain objects.
import { DecodeError } from './errors';
import { ETF } from './etf-terms';

export interface EtfDecodeOptions {
  /**
   * Accept atoms as map keys. Discord answers atom keys from clients with 4002, so the gateway
   * rejects them; a client reading a server's frames may allow them.
   */
  readonly atomKeys?: boolean;
  /** Deepest nesting of lists, tuples and maps accepted. */
  readonly maxDepth?: number;
}

const DEFAULT_MAX_DEPTH = 64;
const MAX_BIG_DIGITS = 8;

/** Decodes one complete ETF term (version byte first). @throws DecodeError */
export function decodeEtf(data: Uint8Array, options: EtfDecodeOptions = {}): unknown {
  const reader = new EtfReader(data, options.atomKeys ?? false, options.maxDepth ?? DEFAULT_MAX_DEPTH);
  if (reader.u8() !== ETF.VERSION) throw new DecodeError('ETF: bad version byte');
  const value = reader.term(0);
  if (reader.pos !== data.length) throw new DecodeError('ETF: trailing bytes after the term');
  return value;
}

class EtfReader {
  pos = 0;
  readonly #view: DataView;

  constructor(readonly bytes: Uint8Array, readonly atomKeys: boolean, readonly maxDepth: number) {
    this.#view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  need(count: number): number {
    const at = this.pos;
    if (count > this.bytes.length - at) throw new DecodeError('ETF: term runs past the end of the frame');
    this.pos = at + count;
    return at;
  }

  u8(): number {
    return this.bytes[this.need(1)]!;
  }

  u16(): number {
    return this.#view.getUint16(this.need(2));
  }

  u32(): number {
    return this.#view.getUint32(this.need(4));
  }

  text(length: number, encoding: 'utf8' | 'latin1'): string {
    const at = this.need(length);
    return Buffer.from(this.bytes.buffer, this.bytes.byteOffset + at, length).toString(encoding);
  }

  /** A count of elements, each at least `minBytes` long, must fit in what is left. */
  count(value: number, minBytes: number): number {
    if (value * minBytes > this.bytes.length - this.pos) throw new DecodeError('ETF: element count exceeds the frame');
    return value;
  }

  term(depth: number): unknown {
    const tag = this.u8();
    switch (tag) {
      case ETF.SMALL_INTEGER_EXT: return this.u8();
      case ETF.INTEGER_EXT: return this.#view.getInt32(this.need(4));
      case ETF.NEW_FLOAT_EXT: return this.#view.getFloat64(this.need(8));
      case ETF.FLOAT_EXT: return this.oldFloat();
      case ETF.ATOM_EXT: return atomValue(this.text(this.u16(), 'latin1'));
      case ETF.SMALL_ATOM_EXT: return atomValue(this.text(this.u8(), 'latin1'));
      case ETF.ATOM_UTF8_EXT: return atomValue(this.text(this.u16(), 'utf8'));
      case ETF.SMALL_ATOM_UTF8_EXT: return atomValue(this.text(this.u8(), 'utf8'));
      case ETF.BINARY_EXT: return this.text(this.u32(), 'utf8');
      case ETF.SMALL_BIG_EXT: return this.big(this.u8());
      case ETF.LARGE_BIG_EXT: return this.big(this.u32());
      case ETF.NIL_EXT: return [];
      case ETF.STRING_EXT: return this.byteList();
      case ETF.LIST_EXT: return this.list(depth);
      case ETF.SMALL_TUPLE_EXT: return this.elements(this.count(this.u8(), 1), depth);
      case ETF.LARGE_TUPLE_EXT: return this.elements(this.count(this.u32(), 1), depth);
      case ETF.MAP_EXT: return this.map(depth);
      default: throw new DecodeError(`ETF: unsupported term tag ${tag}`);
    }
  }

  oldFloat(): number {
    const value = Number.parseFloat(this.text(31, 'latin1'));
    if (Number.isNaN(value)) throw new DecodeError('ETF: malformed FLOAT_EXT');
    return value;
  }

  /** STRING_EXT: Erlang's compact list of small integers; erlpack yields an array of bytes. */
  byteList(): number[] {
    const length = this.u16();
    const at = this.need(length);
    return Array.from(this.bytes.subarray(at, at + length));
  }

  /** Up to 8 digits, as erlpack: a number when 4 digits or fewer, else a decimal string. */
  big(digits: number): number | string {
    if (digits > MAX_BIG_DIGITS) throw new DecodeError('ETF: integer wider than 64 bits');
    const negative = this.u8() !== 0;
    const at = this.need(digits);
    let value = 0n;
    for (let i = digits - 1; i >= 0; i--) value = (value << 8n) | BigInt(this.bytes[at + i]!);
    if (negative) value = -value;
    return digits <= 4 ? Number(value) : value.toString();
  }

  elements(length: number, depth: number): unknown[] {
    if (depth >= this.maxDepth) throw new DecodeError('ETF: nested too deeply');
    const items = new Array<unknown>(length);
    for (let i = 0; i < length; i++) items[i] = this.term(depth + 1);
    return items;
  }

  list(depth: number): unknown[] {
    const items = this.elements(this.count(this.u32(), 1), depth);
    if (this.u8() !== ETF.NIL_EXT) throw new DecodeError('ETF: improper list (tail is not NIL)');
    return items;
  }

  map(depth: number): Record<string, unknown> {
    if (depth >= this.maxDepth) throw new DecodeError('ETF: nested too deeply');
    const arity = this.count(this.u32(), 2);
    const map: Record<string, unknown> = {};
    for (let i = 0; i < arity; i++) {
      const key = this.key();
      const value = this.term(depth + 1);
      // Plain assignment of "__proto__" would replace the prototype; make it an own property,
      // as JSON.parse does.
      if (key === '__proto__') Object.defineProperty(map, key, { value, enumerable: true, writable: true, configurable: true });
      else map[key] = value;
    }
    return map;
  }

  key(): string {
    const tag = this.bytes[this.pos];
    if (tag === ETF.BINARY_EXT) return this.term(0) as string;
    const isAtom = tag === ETF.ATOM_EXT || tag === ETF.SMALL_ATOM_EXT || tag === ETF.ATOM_UTF8_EXT || tag === ETF.SMALL_ATOM_UTF8_EXT;
    if (isAtom && this.atomKeys) return String(this.term(0));
    throw new DecodeError(`ETF: map keys must be binaries (got tag ${tag ?? 'none'})`);
  }
}

function atomValue(name: string): string | boolean | null {
  switch (name) {
    case 'nil':
    case 'null':
      return null;
    case 'true':
      return true;
    case 'false':
      return false;
    default:
      return name;
  }
}
