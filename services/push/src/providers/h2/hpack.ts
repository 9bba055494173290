// HPACK (RFC 7541) for the push service's HTTP/2 client: a stateless encoder (it never adds to
// the peer's dynamic table, so there is no encoder state to keep in step) and a full decoder
// (static and dynamic table, every representation, Huffman strings). Header bytes are read and
// written as latin1, so no octet is lost or re-encoded.
import { HUFFMAN_CODES, HUFFMAN_LENGTHS } from './huffman-table';

export type HeaderList = Array<[name: string, value: string]>;

/** A malformed header block: a connection error (COMPRESSION_ERROR) for the caller. */
export class HpackError extends Error {
  constructor(message: string) {
    super(`HPACK: ${message}`);
    this.name = 'HpackError';
  }
}

/** RFC 7541 Appendix A. */
export const STATIC_TABLE: ReadonlyArray<readonly [string, string]> = [
  [':authority', ''], [':method', 'GET'], [':method', 'POST'], [':path', '/'], [':path', '/index.html'],
  [':scheme', 'http'], [':scheme', 'https'], [':status', '200'], [':status', '204'], [':status', '206'],
  [':status', '304'], [':status', '400'], [':status', '404'], [':status', '500'], ['accept-charset', ''],
  ['accept-encoding', 'gzip, deflate'], ['accept-language', ''], ['accept-ranges', ''], ['accept', ''],
  ['access-control-allow-origin', ''], ['age', ''], ['allow', ''], ['authorization', ''], ['cache-control', ''],
  ['content-disposition', ''], ['content-encoding', ''], ['content-language', ''], ['content-length', ''],
  ['content-location', ''], ['content-range', ''], ['content-type', ''], ['cookie', ''], ['date', ''],
  ['etag', ''], ['expect', ''], ['expires', ''], ['from', ''], ['host', ''], ['if-match', ''],
  ['if-modified-since', ''], ['if-none-match', ''], ['if-range', ''], ['if-unmodified-since', ''],
  ['last-modified', ''], ['link', ''], ['location', ''], ['max-forwards', ''], ['proxy-authenticate', ''],
  ['proxy-authorization', ''], ['range', ''], ['referer', ''], ['refresh', ''], ['retry-after', ''],
  ['server', ''], ['set-cookie', ''], ['strict-transport-security', ''], ['transfer-encoding', ''],
  ['user-agent', ''], ['vary', ''], ['via', ''], ['www-authenticate', ''],
];

/** name → its first static index; "name\0value" → the index of that exact field. */
const staticNames = new Map<string, number>();
const staticFields = new Map<string, number>();
STATIC_TABLE.forEach(([name, value], i) => {
  if (!staticNames.has(name)) staticNames.set(name, i + 1);
  if (value !== '') staticFields.set(`${name}\u0000${value}`, i + 1);
});

// ---- encoding ----

function integerBytes(value: number, prefixBits: number, firstByte: number): number[] {
  const limit = (1 << prefixBits) - 1;
  if (value < limit) return [firstByte | value];
  const out = [firstByte | limit];
  let rest = value - limit;
  while (rest >= 128) {
    out.push((rest % 128) | 128);
    rest = Math.floor(rest / 128);
  }
  out.push(rest);
  return out;
}

function stringBytes(text: string): Buffer {
  const length = Buffer.byteLength(text, 'latin1');
  const prefix = integerBytes(length, 7, 0); // H = 0: raw octets (cheaper to make than Huffman)
  const out = Buffer.allocUnsafe(prefix.length + length);
  for (let i = 0; i < prefix.length; i++) out[i] = prefix[i]!;
  out.write(text, prefix.length, 'latin1');
  return out;
}

/**
 * One header field: indexed when the static table has the exact field, else a literal without
 * indexing (with the static name index when there is one). Names must be lowercase.
 */
export function encodeHeaderField(name: string, value: string): Buffer {
  const exact = staticFields.get(`${name}\u0000${value}`);
  if (exact !== undefined) return Buffer.from([0x80 | exact]);
  const nameIndex = staticNames.get(name);
  const head = Buffer.from(integerBytes(nameIndex ?? 0, 4, 0x00));
  return nameIndex === undefined ? Buffer.concat([head, stringBytes(name), stringBytes(value)]) : Buffer.concat([head, stringBytes(value)]);
}

export function encodeHeaderBlock(headers: HeaderList): Buffer {
  return Buffer.concat(headers.map(([name, value]) => encodeHeaderField(name, value)));
}

// ---- Huffman decoding: 8 bits at a time through a tree of 256-way tables ----

/** Per table: > 0 a child table, < 0 a leaf -(sym << 4 | bits consumed at this level) - 1, 0 no code. */
const huffmanTables: Int32Array[] = [new Int32Array(256)];

(function buildHuffmanTables() {
  for (let sym = 0; sym < 256; sym++) {
    const code = HUFFMAN_CODES[sym]!;
    let length = HUFFMAN_LENGTHS[sym]!;
    let table = 0;
    while (length > 8) {
      length -= 8;
      const i = Math.floor(code / 2 ** length) & 0xff;
      let child = huffmanTables[table]![i]!;
      if (child === 0) {
        child = huffmanTables.length;
        huffmanTables.push(new Int32Array(256));
        huffmanTables[table]![i] = child;
      }
      table = child;
    }
    const shift = 8 - length;
    const start = (code << shift) & 0xff;
    const leaf = -((sym << 4) | length) - 1;
    for (let i = start; i < start + (1 << shift); i++) huffmanTables[table]![i] = leaf;
  }
})();

let scratch = Buffer.allocUnsafe(4096);

/** The Huffman-coded `src[start, end)` as a latin1 string (RFC 7541 §5.2: padding < 8 bits, all ones). */
export function huffmanDecode(src: Uint8Array, start: number, end: number): string {
  // Decoded strings are at most 8/5 of the coded length.
  if (scratch.length < (end - start) * 2) scratch = Buffer.allocUnsafe((end - start) * 2);
  let out = 0;
  let table = 0;
  let cur = 0;
  let cbits = 0; // bits in cur not yet consumed
  let sbits = 0; // bits read since the last whole symbol
  for (let p = start; p < end; p++) {
    cur = ((cur << 8) | src[p]!) & 0xffff;
    cbits += 8;
    sbits += 8;
    while (cbits >= 8) {
      const next = huffmanTables[table]![(cur >>> (cbits - 8)) & 0xff]!;
      if (next === 0) throw new HpackError('an invalid Huffman code');
      if (next < 0) {
        const leaf = -next - 1;
        scratch[out++] = leaf >>> 4;
        cbits -= leaf & 0xf;
        table = 0;
        sbits = cbits;
      } else {
        table = next;
        cbits -= 8;
      }
    }
  }
  while (cbits > 0) {
    const next = huffmanTables[table]![(cur << (8 - cbits)) & 0xff]!;
    if (next >= 0) break;
    const leaf = -next - 1;
    if ((leaf & 0xf) > cbits) break;
    scratch[out++] = leaf >>> 4;
    cbits -= leaf & 0xf;
    table = 0;
    sbits = cbits;
  }
  const ones = (1 << cbits) - 1;
  if (sbits > 7 || (cur & ones) !== ones) throw new HpackError('invalid Huffman padding');
  return scratch.toString('latin1', 0, out);
}

/** Huffman-codes `text` (latin1): for tests and peers' expectations; the encoder itself sends raw strings. */
export function huffmanEncode(text: string): Buffer {
  const bytes = Buffer.from(text, 'latin1');
  const out: number[] = [];
  let cur = 0;
  let bits = 0;
  for (const byte of bytes) {
    const length = HUFFMAN_LENGTHS[byte]!;
    const code = HUFFMAN_CODES[byte]!;
    for (let i = length - 1; i >= 0; i--) {
      cur = (cur << 1) | (Math.floor(code / 2 ** i) & 1);
      bits += 1;
      if (bits === 8) {
        out.push(cur);
        cur = 0;
        bits = 0;
      }
    }
  }
  if (bits > 0) out.push((cur << (8 - bits)) | ((1 << (8 - bits)) - 1));
  return Buffer.from(out);
}

// ---- decoding ----

export interface HpackDecoderOptions {
  /** Our SETTINGS_HEADER_TABLE_SIZE: the most a table size update may ask for. Default 4096. */
  maxTableSize?: number;
  /** The most a decoded header list may weigh (name + value + 32 per field). Default 64 KiB. */
  maxHeaderListSize?: number;
}

export class HpackDecoder {
  private readonly limit: number;
  private readonly maxListSize: number;
  private tableMax: number;
  /** Newest first (index 62 is dynamic[0]). */
  private dynamic: Array<[string, string]> = [];
  private size = 0;
  private offset = 0;

  constructor(options: HpackDecoderOptions = {}) {
    this.limit = options.maxTableSize ?? 4096;
    this.tableMax = this.limit;
    this.maxListSize = options.maxHeaderListSize ?? 64 * 1024;
  }

  /** One complete header block (HEADERS and CONTINUATION payloads together); updates the dynamic table. */
  decode(block: Uint8Array): HeaderList {
    const headers: HeaderList = [];
    let listSize = 0;
    let fieldsSeen = false;
    this.offset = 0;
    while (this.offset < block.length) {
      const first = block[this.offset]!;
      let name: string;
      let value: string;
      if (first & 0x80) {
        [name, value] = this.entry(this.integer(block, 7));
      } else if ((first & 0xe0) === 0x20) {
        if (fieldsSeen) throw new HpackError('a table size update after a header field');
        const size = this.integer(block, 5);
        if (size > this.limit) throw new HpackError(`a table size update to ${size} over the limit ${this.limit}`);
        this.tableMax = size;
        this.evict(0);
        continue;
      } else {
        const indexing = (first & 0xc0) === 0x40;
        const index = this.integer(block, indexing ? 6 : 4);
        name = index === 0 ? this.string(block) : this.entry(index)[0];
        value = this.string(block);
        if (indexing) this.add(name, value);
      }
      fieldsSeen = true;
      listSize += name.length + value.length + 32;
      if (listSize > this.maxListSize) throw new HpackError(`a header list over ${this.maxListSize} bytes`);
      headers.push([name, value]);
    }
    return headers;
  }

  private entry(index: number): readonly [string, string] {
    if (index === 0) throw new HpackError('index 0');
    if (index <= STATIC_TABLE.length) return STATIC_TABLE[index - 1]!;
    const entry = this.dynamic[index - STATIC_TABLE.length - 1];
    if (!entry) throw new HpackError(`index ${index} beyond the tables`);
    return entry;
  }

  private add(name: string, value: string): void {
    const size = name.length + value.length + 32;
    this.evict(size);
    if (size > this.tableMax) return; // larger than the table: it only emptied it (RFC 7541 §4.4)
    this.dynamic.unshift([name, value]);
    this.size += size;
  }

  private evict(room: number): void {
    while (this.size + room > this.tableMax && this.dynamic.length > 0) {
      const [name, value] = this.dynamic.pop()!;
      this.size -= name.length + value.length + 32;
    }
  }

  /** An integer with an N-bit prefix at the offset (RFC 7541 §5.1), guarded against overflow. */
  private integer(block: Uint8Array, prefixBits: number): number {
    const limit = (1 << prefixBits) - 1;
    let value = block[this.offset++]! & limit;
    if (value < limit) return value;
    for (let shift = 0; ; shift += 7) {
      if (this.offset >= block.length) throw new HpackError('a truncated integer');
      if (shift > 21) throw new HpackError('an integer over 2^28');
      const byte = block[this.offset++]!;
      value += (byte & 0x7f) * 2 ** shift;
      if ((byte & 0x80) === 0) return value;
    }
  }

  private string(block: Uint8Array): string {
    if (this.offset >= block.length) throw new HpackError('a truncated string');
    const huffman = (block[this.offset]! & 0x80) !== 0;
    const length = this.integer(block, 7);
    const start = this.offset;
    const end = start + length;
    if (end > block.length) throw new HpackError('a string longer than its block');
    this.offset = end;
    if (huffman) return huffmanDecode(block, start, end);
    return Buffer.from(block.buffer, block.byteOffset + start, length).toString('latin1');
  }
}
