import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { encodeHeaderBlock, encodeHeaderField, HpackDecoder, HpackError } from './hpack';
import type { HeaderList } from './hpack';
import { STATIC_TABLE } from './hpack-static-table';

// Made by __tests__/gen from golang.org/x/net/http2/hpack: blocks from its encoder and the RFC 7541
// Appendix C examples, each decoded by its decoder; malformed blocks it rejects.
interface Fixtures {
  source: string;
  cases: Array<{ name: string; tableSize: number; blocks: Array<{ hex: string; headers: HeaderList }> }>;
  errors: Array<{ name: string; tableSize: number; prefix?: string[]; hex: string; goError: string }>;
}
const fixtures = JSON.parse(readFileSync(join(__dirname, '__tests__', 'hpack-fixtures.json'), 'utf8')) as Fixtures;

const hex = (text: string): Buffer => Buffer.from(text.replace(/\s+/g, ''), 'hex');

/** A literal with incremental indexing of a new name, raw strings (for hand-made blocks). */
function indexedLiteral(name: string, value: Buffer): Buffer {
  return Buffer.concat([Buffer.from([0x40, name.length]), Buffer.from(name, 'latin1'), Buffer.from([value.length]), value]);
}

describe('HpackDecoder against golang.org/x/net/http2/hpack', () => {
  test.each(fixtures.cases.map((c) => [c.name, c] as const))('decodes %s block by block with one decoder', (_name, fixture) => {
    const decoder = new HpackDecoder({ maxTableSize: fixture.tableSize });
    fixture.blocks.forEach((block) => {
      expect(decoder.decode(hex(block.hex))).toEqual(block.headers);
    });
  });

  test.each(fixtures.errors.map((c) => [c.name, c] as const))('rejects %s, as Go does', (_name, fixture) => {
    const decoder = new HpackDecoder({ maxTableSize: fixture.tableSize });
    for (const prefix of fixture.prefix ?? []) decoder.decode(hex(prefix));
    expect(() => decoder.decode(hex(fixture.hex))).toThrow(HpackError);
  });
});

describe('HpackDecoder', () => {
  test('reads a block from a Uint8Array view at an offset into a larger buffer', () => {
    const bytes = new Uint8Array(64).fill(0xee);
    const block = hex('8286 8441 8cf1 e3c2 e5f2 3a6b a0ab 90f4 ff'); // RFC 7541 C.4.1
    bytes.set(block, 10);
    const view = new Uint8Array(bytes.buffer, 10, block.length);
    expect(new HpackDecoder().decode(view)).toEqual([[':method', 'GET'], [':scheme', 'http'], [':path', '/'], [':authority', 'www.example.com']]);
  });

  test('returns octets as latin1 chars, so a UTF-8 value arrives byte for byte', () => {
    const value = Buffer.from('café', 'utf8');
    const block = Buffer.concat([Buffer.from([0x0f, 31 - 15, value.length]), value]); // content-type (31), raw
    expect(new HpackDecoder().decode(block)).toEqual([['content-type', 'caf\u00c3\u00a9']]);
  });

  test('sizes entries by octets: three 35-octet entries overflow a 104-octet table and evict the oldest', () => {
    const decoder = new HpackDecoder({ maxTableSize: 104 });
    const e = Buffer.from('é', 'utf8'); // 2 octets, 1 char if it were decoded as UTF-8
    decoder.decode(Buffer.concat([indexedLiteral('a', e), indexedLiteral('b', e), indexedLiteral('c', e)]));
    expect(decoder.decode(hex('be bf'))).toEqual([['c', '\u00c3\u00a9'], ['b', '\u00c3\u00a9']]);
    expect(() => decoder.decode(hex('c0'))).toThrow(/index 64 beyond the tables/);
  });

  test('an entry larger than the table empties it and is not added', () => {
    const decoder = new HpackDecoder({ maxTableSize: 64 });
    decoder.decode(indexedLiteral('a', Buffer.from('b')));
    expect(decoder.decode(indexedLiteral('big', Buffer.alloc(40, 0x78)))).toEqual([['big', 'x'.repeat(40)]]);
    expect(() => decoder.decode(hex('be'))).toThrow(HpackError);
  });

  test('a table size update to 0 empties the table, and a later one lets it fill again', () => {
    const decoder = new HpackDecoder();
    decoder.decode(indexedLiteral('a', Buffer.from('b')));
    expect(() => decoder.decode(hex('20 be'))).toThrow(/index 62 beyond the tables \(0 dynamic entries\)/);
    expect(decoder.decode(Buffer.concat([hex('3fe11f'), indexedLiteral('c', Buffer.from('d')), hex('be')]))).toEqual([['c', 'd'], ['c', 'd']]);
  });

  test('rejects a table size update after a field even while the table is empty (Go lets that one pass)', () => {
    expect(() => new HpackDecoder().decode(hex('82 20'))).toThrow(/after a header field/);
  });

  test('rejects a table size update over our SETTINGS_HEADER_TABLE_SIZE', () => {
    const decoder = new HpackDecoder({ maxTableSize: 256 });
    expect(decoder.decode(hex('3fe101 82'))).toEqual([[':method', 'GET']]); // exactly 256
    expect(() => decoder.decode(hex('3fe201'))).toThrow(/over our limit of 256/);
  });

  test('rejects integers of more than 28 bits, before Go would', () => {
    expect(() => new HpackDecoder().decode(hex('ff ffffffff 01'))).toThrow(/overflow/);
  });

  test('rejects a header list heavier than maxHeaderListSize, counting 32 octets per field', () => {
    const block = hex('82 86 84'); // :method GET, :scheme http, :path /: 10 + 11 + 6 + 3 * 32 = 123
    expect(new HpackDecoder({ maxHeaderListSize: 123 }).decode(block)).toHaveLength(3);
    expect(() => new HpackDecoder({ maxHeaderListSize: 122 }).decode(block)).toThrow(/header list over 122 octets/);
  });

  test('keeps its table across blocks and needs no state between them', () => {
    const decoder = new HpackDecoder();
    expect(decoder.decode(new Uint8Array(0))).toEqual([]);
    decoder.decode(indexedLiteral('x-a', Buffer.from('1')));
    expect(decoder.decode(hex('be'))).toEqual([['x-a', '1']]);
  });
});

describe('encodeHeaderField', () => {
  test.each([
    [':method', 'POST', '83'],
    [':method', 'GET', '82'],
    [':scheme', 'https', '87'],
    [':path', '/', '84'],
    [':status', '200', '88'],
    ['accept-encoding', 'gzip, deflate', '90'],
    ['accept', '', '93'],
  ])('indexes the static field %s: %s as one byte', (name, value, expected) => {
    expect(encodeHeaderField(name, value).toString('hex')).toBe(expected);
  });

  test('sends a static name by index with a raw value, without indexing', () => {
    expect(encodeHeaderField(':path', '/v1/projects/p/messages:send').toString('hex')).toBe(`041c${Buffer.from('/v1/projects/p/messages:send').toString('hex')}`);
    expect(encodeHeaderField(':authority', 'fcm.googleapis.com').toString('hex')).toBe(`0112${Buffer.from('fcm.googleapis.com').toString('hex')}`);
    // content-type is index 31: past the 4-bit prefix, so 0x0f then 31 - 15 = 0x10.
    expect(encodeHeaderField('content-type', 'application/json').toString('hex')).toBe(`0f1010${Buffer.from('application/json').toString('hex')}`);
  });

  test('sends a new name as a literal name without indexing', () => {
    expect(encodeHeaderField('apns-topic', 'com.example.app').toString('hex')).toBe(`000a${Buffer.from('apns-topic').toString('hex')}0f${Buffer.from('com.example.app').toString('hex')}`);
  });

  test('writes lengths of 127 and more as multi-byte integers', () => {
    const value = 'v'.repeat(200);
    const field = encodeHeaderField('authorization', value); // index 23
    expect(field.subarray(0, 4).toString('hex')).toBe('0f087f49'); // 23 - 15 = 8; 200 - 127 = 73
    expect(field.subarray(4).toString('latin1')).toBe(value);
    expect(encodeHeaderField('x-long', 'w'.repeat(127)).subarray(8, 10).toString('hex')).toBe('7f00');
  });

  test('writes each char of a latin1 string as one octet, long or short', () => {
    const all = Array.from({ length: 256 }, (_, i) => String.fromCharCode(i)).join('');
    for (const value of [all, all.slice(200, 220)]) {
      const field = encodeHeaderField('x-bytes', value);
      expect(new HpackDecoder().decode(field)).toEqual([['x-bytes', value]]);
    }
  });

  test('encodes every static entry as its index', () => {
    STATIC_TABLE.forEach(([name, value], i) => expect([...encodeHeaderField(name, value)]).toEqual([0x80 | (i + 1)]));
  });
});

describe('encodeHeaderBlock', () => {
  const request: HeaderList = [
    [':method', 'POST'],
    [':scheme', 'https'],
    [':authority', 'api.push.apple.com'],
    [':path', '/3/device/0123456789abcdef'],
    ['authorization', 'bearer eyJhbGciOiJFUzI1NiIsImtpZCI6IkFCQzEyMyJ9.e30.c2ln'],
    ['apns-topic', 'com.example.app'],
    ['apns-push-type', 'alert'],
    ['content-type', 'application/json'],
    ['content-length', '123'],
    ['accept', ''],
  ];

  test('is the concatenation of the fields', () => {
    expect(encodeHeaderBlock(request)).toEqual(Buffer.concat(request.map(([name, value]) => encodeHeaderField(name, value))));
  });

  test('decodes back to the same list and leaves the peer dynamic table empty', () => {
    const decoder = new HpackDecoder();
    expect(decoder.decode(encodeHeaderBlock(request))).toEqual(request);
    expect(() => decoder.decode(hex('be'))).toThrow(HpackError);
  });
});
