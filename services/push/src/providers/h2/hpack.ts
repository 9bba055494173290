// HPACK (RFC 7541) for the push service's HTTP/2 client: a stateless encoder (it never adds to the
// peer's dynamic table, so there is no encoder state to keep in step with the peer) and a full
// decoder (static and dynamic tables, every representation, Huffman strings).
//
// Header names and values are octets on the wire; they are read and written as latin1, one char per
// octet, so no byte is lost or re-encoded (a UTF-8 value arrives as its bytes, e.g. "é" as "Ã©").
// That also makes a string's length its RFC 7541 §4.1 octet count.
import { huffmanDecode } from './huffman';
import { STATIC_TABLE } from './hpack-static-table';

export type HeaderList = Array<[name: string, value: string]>;

/** A malformed header block: a connection error (COMPRESSION_ERROR) for the caller. */
export class HpackError extends Error {
  constructor(message: string) {
    super(`HPACK: ${message}`);
    this.name = 'HpackError';
  }
}

/** RFC 7541 §4.1: an entry's size is its name and value octets plus 32. */
const ENTRY_OVERHEAD = 32;

// ---- encoding ----

/** A static name: its first index, and the index of each value the table has for it. */
const staticNames = new Map<string, { index: number; values: Map<string, number> }>();
STATIC_TABLE.forEach(([name, value], i) => {
  let entry = staticNames.get(name);
  if (entry === undefined) staticNames.set(name, (entry = { index: i + 1, values: new Map() }));
  entry.values.set(value, i + 1);
});

function integerLength(value: number, prefixBits: number): number {
  const limit = (1 << prefixBits) - 1;
  if (value < limit) return 1;
  let length = 2;
  for (let rest = value - limit; rest >= 128; rest = Math.floor(rest / 128)) length += 1;
  return length;
}

/** Writes an integer with an N-bit prefix (RFC 7541 §5.1) at `offset`; returns the offset after it. */
function writeInteger(out: Buffer, offset: number, value: number, prefixBits: number, flags: number): number {
  const limit = (1 << prefixBits) - 1;
  if (value < limit) {
    out[offset] = flags | value;
    return offset + 1;
  }
  out[offset++] = flags | limit;
  let rest = value - limit;
  for (; rest >= 128; rest = Math.floor(rest / 128)) out[offset++] = (rest % 128) | 128;
  out[offset] = rest;
  return offset + 1;
}

/** A string literal without Huffman coding (H = 0): cheaper to make than the bytes it would save. */
function writeString(out: Buffer, offset: number, text: string): number {
  offset = writeInteger(out, offset, text.length, 7, 0);
  // Short strings (most header values) are copied faster here than through Buffer#write's native call.
  if (text.length <= 16) {
    for (let i = 0; i < text.length; i++) out[offset + i] = text.charCodeAt(i);
    return offset + text.length;
  }
  return offset + out.write(text, offset, 'latin1');
}

/**
 * One header field: indexed when the static table has the exact field, else a literal without
 * indexing, naming the static index when the name is in the table. Names must already be
 * lowercase; a char above U+00FF cannot be an octet and is written as its low byte, so callers
 * validate names and values (RFC 9113 §8.2.1) before.
 */
export function encodeHeaderField(name: string, value: string): Buffer {
  const known = staticNames.get(name);
  if (known !== undefined) {
    const exact = known.values.get(value);
    if (exact !== undefined) {
      const out = Buffer.allocUnsafe(1);
      out[0] = 0x80 | exact;
      return out;
    }
    const out = Buffer.allocUnsafe(integerLength(known.index, 4) + integerLength(value.length, 7) + value.length);
    writeString(out, writeInteger(out, 0, known.index, 4, 0x00), value);
    return out;
  }
  const out = Buffer.allocUnsafe(1 + integerLength(name.length, 7) + name.length + integerLength(value.length, 7) + value.length);
  out[0] = 0x00;
  writeString(out, writeString(out, 1, name), value);
  return out;
}

export function encodeHeaderBlock(headers: HeaderList): Buffer {
  return Buffer.concat(headers.map(([name, value]) => encodeHeaderField(name, value)));
}

// ---- decoding ----

export interface HpackDecoderOptions {
  /** Our SETTINGS_HEADER_TABLE_SIZE: the dynamic table's initial size and the most an update may ask for. Default 4096. */
  maxTableSize?: number;
  /** The most a decoded header list may weigh (name + value + 32 octets per field, RFC 7540 §6.5.2). Default 64 KiB. */
  maxHeaderListSize?: number;
}

const EMPTY = Buffer.alloc(0);

/** Integers past this are no header block's: 4 continuation bytes hold every length, index and size we accept. */
const MAX_CONTINUATION_SHIFT = 21;

export class HpackDecoder {
  private readonly maxTableSize: number;
  private readonly maxHeaderListSize: number;
  /** The dynamic table's size limit, as last set by a table size update. */
  private tableLimit: number;
  private tableSize = 0;
  // The dynamic table as a ring of `capacity` slots (every entry takes at least 32 octets);
  // `newest` is the slot of dynamic index 1 (HPACK index 62), the `count - 1` before it older ones.
  private readonly capacity: number;
  private readonly names: string[];
  private readonly values: string[];
  private newest = 0;
  private count = 0;
  // The block being decoded and the read position in it.
  private block: Buffer = EMPTY;
  private offset = 0;

  constructor(options: HpackDecoderOptions = {}) {
    this.maxTableSize = options.maxTableSize ?? 4096;
    this.maxHeaderListSize = options.maxHeaderListSize ?? 64 * 1024;
    this.tableLimit = this.maxTableSize;
    this.capacity = Math.max(1, Math.floor(this.maxTableSize / ENTRY_OVERHEAD));
    this.names = new Array<string>(this.capacity).fill('');
    this.values = new Array<string>(this.capacity).fill('');
  }

  /** Decodes one complete header block (HEADERS and CONTINUATION payloads together); updates the dynamic table. */
  decode(block: Uint8Array): HeaderList {
    this.block = Buffer.isBuffer(block) ? block : Buffer.from(block.buffer, block.byteOffset, block.byteLength);
    this.offset = 0;
    try {
      return this.fields();
    } finally {
      this.block = EMPTY; // no reference to the caller's (pooled) buffer beyond the call
    }
  }

  private fields(): HeaderList {
    const block = this.block;
    const headers: HeaderList = [];
    let listSize = 0;
    while (this.offset < block.length) {
      const first = block[this.offset]!;
      let name: string;
      let value: string;
      if (first >= 0x80) {
        // Indexed field (§6.1).
        const index = this.integer(7);
        if (index <= STATIC_TABLE.length) {
          if (index === 0) throw new HpackError('index 0');
          const entry = STATIC_TABLE[index - 1]!;
          name = entry[0];
          value = entry[1];
        } else {
          const slot = this.slot(index);
          name = this.names[slot]!;
          value = this.values[slot]!;
        }
      } else if (first >= 0x40) {
        // Literal with incremental indexing (§6.2.1).
        name = this.literalName(6);
        value = this.string();
        this.add(name, value);
      } else if (first >= 0x20) {
        // Dynamic table size update (§6.3): only before the block's first field.
        if (headers.length > 0) throw new HpackError('a dynamic table size update after a header field');
        const size = this.integer(5);
        if (size > this.maxTableSize) throw new HpackError(`a dynamic table size update to ${size}, over our limit of ${this.maxTableSize}`);
        this.tableLimit = size;
        this.evictFor(0);
        continue;
      } else {
        // Literal without indexing (0000) or never indexed (0001) (§6.2.2, §6.2.3): the same to a decoder.
        name = this.literalName(4);
        value = this.string();
      }
      listSize += name.length + value.length + ENTRY_OVERHEAD;
      if (listSize > this.maxHeaderListSize) throw new HpackError(`a header list over ${this.maxHeaderListSize} octets`);
      headers.push([name, value]);
    }
    return headers;
  }

  /** A literal's name: index 0 means a string follows, any other is a table entry's name. */
  private literalName(prefixBits: number): string {
    const index = this.integer(prefixBits);
    if (index === 0) return this.string();
    if (index <= STATIC_TABLE.length) return STATIC_TABLE[index - 1]![0];
    return this.names[this.slot(index)]!;
  }

  /** The ring slot of HPACK index `index` (> 61). */
  private slot(index: number): number {
    const age = index - STATIC_TABLE.length - 1;
    if (age >= this.count) throw new HpackError(`index ${index} beyond the tables (${this.count} dynamic entries)`);
    const slot = this.newest - age;
    return slot < 0 ? slot + this.capacity : slot;
  }

  private add(name: string, value: string): void {
    const size = name.length + value.length + ENTRY_OVERHEAD;
    this.evictFor(size);
    // Larger than the whole table: adding it only emptied the table (§4.4).
    if (size > this.tableLimit) return;
    this.newest = this.newest + 1 === this.capacity ? 0 : this.newest + 1;
    this.names[this.newest] = name;
    this.values[this.newest] = value;
    this.count += 1;
    this.tableSize += size;
  }

  /** Evicts the oldest entries until `room` more octets fit under the limit (or the table is empty). */
  private evictFor(room: number): void {
    while (this.count > 0 && this.tableSize + room > this.tableLimit) {
      let oldest = this.newest - this.count + 1;
      if (oldest < 0) oldest += this.capacity;
      this.tableSize -= this.names[oldest]!.length + this.values[oldest]!.length + ENTRY_OVERHEAD;
      this.names[oldest] = '';
      this.values[oldest] = '';
      this.count -= 1;
    }
  }

  /** An integer with an N-bit prefix at the read position (§5.1); the caller has checked a byte is there. */
  private integer(prefixBits: number): number {
    const block = this.block;
    const limit = (1 << prefixBits) - 1;
    let value = block[this.offset++]! & limit;
    if (value < limit) return value;
    for (let shift = 0; ; shift += 7) {
      if (this.offset >= block.length) throw new HpackError('a truncated integer');
      if (shift > MAX_CONTINUATION_SHIFT) throw new HpackError('an integer over 2^28 (overflow)');
      const byte = block[this.offset++]!;
      value += (byte & 0x7f) * 2 ** shift;
      if (byte < 0x80) return value;
    }
  }

  /** A string literal (§5.2), raw or Huffman-coded. */
  private string(): string {
    const block = this.block;
    if (this.offset >= block.length) throw new HpackError('a truncated header field (string missing)');
    const huffman = block[this.offset]! >= 0x80;
    const length = this.integer(7);
    const start = this.offset;
    const end = start + length;
    if (end > block.length) throw new HpackError(`a string of ${length} octets past the end of the block`);
    this.offset = end;
    if (!huffman) return block.toString('latin1', start, end);
    const text = huffmanDecode(block, start, end);
    if (text === null) throw new HpackError('an invalid Huffman string (EOS, or padding not a short run of ones)');
    return text;
  }
}
