import { encodeHeaderBlock, encodeHeaderField, HpackDecoder, HpackError, huffmanDecode, huffmanEncode } from './hpack';
import { HUFFMAN_CODES, HUFFMAN_LENGTHS } from './huffman-table';

const hex = (text: string) => Buffer.from(text.replace(/\s+/g, ''), 'hex');

describe('the Huffman code', () => {
  test('is a complete prefix code over the 256 byte values and EOS (Kraft sum exactly 1)', () => {
    // EOS (30 bits) is the one symbol not in the table.
    const sum = HUFFMAN_LENGTHS.reduce((acc, length) => acc + 2 ** -length, 2 ** -30);
    expect(sum).toBe(1);
    const codes = new Set(HUFFMAN_CODES.map((code, sym) => `${HUFFMAN_LENGTHS[sym]}:${code}`));
    expect(codes.size).toBe(256);
  });

  test('round-trips every byte value, alone and in runs', () => {
    for (let b = 0; b < 256; b++) {
      const text = String.fromCharCode(b).repeat(1 + (b % 7));
      const coded = huffmanEncode(text);
      expect(huffmanDecode(coded, 0, coded.length)).toBe(text);
    }
    const all = Array.from({ length: 256 }, (_, b) => String.fromCharCode(b)).join('');
    const coded = huffmanEncode(all);
    expect(huffmanDecode(coded, 0, coded.length)).toBe(all);
  });

  test('decodes the RFC 7541 C.4 examples', () => {
    const www = hex('f1e3 c2e5 f23a 6ba0 ab90 f4ff');
    expect(huffmanDecode(www, 0, www.length)).toBe('www.example.com');
    const noCache = hex('a8eb 1064 9cbf');
    expect(huffmanDecode(noCache, 0, noCache.length)).toBe('no-cache');
  });

  test('refuses padding of 8 bits or more, padding that is not all ones, and EOS inside the string', () => {
    const ok = huffmanEncode('a'); // 5 bits + 3 bits of padding
    expect(() => huffmanDecode(Buffer.concat([ok, Buffer.from([0xff])]), 0, ok.length + 1)).toThrow(HpackError);
    expect(() => huffmanDecode(Buffer.from([0x18]), 0, 1)).toThrow(HpackError); // 'a' then padding 000
    expect(() => huffmanDecode(Buffer.from([0xff, 0xff, 0xff, 0xff]), 0, 4)).toThrow(HpackError); // EOS
  });
});

describe('HpackDecoder', () => {
  test('decodes the RFC 7541 C.3 requests (raw strings) with the dynamic table carried across blocks', () => {
    const decoder = new HpackDecoder();
    expect(decoder.decode(hex('8286 8441 0f77 7777 2e65 7861 6d70 6c65 2e63 6f6d'))).toEqual([
      [':method', 'GET'], [':scheme', 'http'], [':path', '/'], [':authority', 'www.example.com'],
    ]);
    expect(decoder.decode(hex('8286 84be 5808 6e6f 2d63 6163 6865'))).toEqual([
      [':method', 'GET'], [':scheme', 'http'], [':path', '/'], [':authority', 'www.example.com'], ['cache-control', 'no-cache'],
    ]);
    expect(decoder.decode(hex('8287 85bf 400a 6375 7374 6f6d 2d6b 6579 0c63 7573 746f 6d2d 7661 6c75 65'))).toEqual([
      [':method', 'GET'], [':scheme', 'https'], [':path', '/index.html'], [':authority', 'www.example.com'], ['custom-key', 'custom-value'],
    ]);
  });

  test('decodes the RFC 7541 C.4 requests (Huffman strings)', () => {
    const decoder = new HpackDecoder();
    expect(decoder.decode(hex('8286 8441 8cf1 e3c2 e5f2 3a6b a0ab 90f4 ff'))).toEqual([
      [':method', 'GET'], [':scheme', 'http'], [':path', '/'], [':authority', 'www.example.com'],
    ]);
    expect(decoder.decode(hex('8286 84be 5886 a8eb 1064 9cbf'))).toEqual([
      [':method', 'GET'], [':scheme', 'http'], [':path', '/'], [':authority', 'www.example.com'], ['cache-control', 'no-cache'],
    ]);
    expect(decoder.decode(hex('8287 85bf 4088 25a8 49e9 5ba9 7d7f 8925 a849 e95b b8e8 b4bf'))).toEqual([
      [':method', 'GET'], [':scheme', 'https'], [':path', '/index.html'], [':authority', 'www.example.com'], ['custom-key', 'custom-value'],
    ]);
  });

  test('evicts the oldest entries when the table is full, and obeys a table size update', () => {
    const decoder = new HpackDecoder({ maxTableSize: 256 });
    const add = (name: string, value: string) => Buffer.concat([Buffer.from([0x40]), raw(name), raw(value)]);
    // Each entry weighs 32 + 5 + 60 = 97 bytes: a 256-byte table keeps two.
    const value = (n: number) => String(n).repeat(60).slice(0, 60);
    decoder.decode(Buffer.concat([add('key-1', value(1)), add('key-2', value(2)), add('key-3', value(3))]));
    expect(decoder.decode(Buffer.from([0x80 | 62, 0x80 | 63]))).toEqual([['key-3', value(3)], ['key-2', value(2)]]);
    expect(() => decoder.decode(Buffer.from([0x80 | 64]))).toThrow(HpackError);
    // A size update to 0 empties the table; one above our SETTINGS limit is an error.
    decoder.decode(Buffer.from([0x20]));
    expect(() => decoder.decode(Buffer.from([0x80 | 62]))).toThrow(HpackError);
    expect(() => decoder.decode(Buffer.from([0x3f, 0xe2, 0x01]))).toThrow(/over the limit/);
  });

  test('literal without indexing and never-indexed fields leave the table alone', () => {
    const decoder = new HpackDecoder();
    const block = Buffer.concat([Buffer.from([0x00]), raw('x-a'), raw('1'), Buffer.from([0x10]), raw('x-b'), raw('2')]);
    expect(decoder.decode(block)).toEqual([['x-a', '1'], ['x-b', '2']]);
    expect(() => decoder.decode(Buffer.from([0x80 | 62]))).toThrow(HpackError);
  });

  test('keeps every octet of a value (latin1), and multi-byte lengths', () => {
    const value = 'é'.repeat(10) + 'x'.repeat(300);
    const decoder = new HpackDecoder();
    expect(decoder.decode(encodeHeaderField('x-long', value))).toEqual([['x-long', value]]);
  });

  test('refuses index 0, truncated blocks, integer overflow, a size update after a field, and oversized header lists', () => {
    const decoder = () => new HpackDecoder({ maxHeaderListSize: 100 });
    expect(() => decoder().decode(Buffer.from([0x80]))).toThrow(/index 0/);
    expect(() => decoder().decode(Buffer.from([0x00, 0x05, 0x61]))).toThrow(/longer than its block/);
    expect(() => decoder().decode(Buffer.from([0x7f, 0xff]))).toThrow(/truncated/);
    expect(() => decoder().decode(Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f]))).toThrow(/over 2\^28/);
    expect(() => decoder().decode(Buffer.from([0x82, 0x20]))).toThrow(/after a header field/);
    expect(() => decoder().decode(encodeHeaderField('x-big', 'v'.repeat(80)))).toThrow(/header list over 100/);
  });
});

describe('the encoder', () => {
  test('indexes static fields and uses static name indexes', () => {
    expect(encodeHeaderField(':method', 'POST')).toEqual(Buffer.from([0x83]));
    expect(encodeHeaderField(':scheme', 'https')).toEqual(Buffer.from([0x87]));
    // :path (static 4) as a literal without indexing: 0000 0100, then the raw value.
    expect(encodeHeaderField(':path', '/3/device/ab')).toEqual(Buffer.concat([Buffer.from([0x04]), raw('/3/device/ab')]));
    // authorization is static 23: over the 4-bit prefix, so 0x0f then 23 - 15.
    expect(encodeHeaderField('authorization', 'bearer x')).toEqual(Buffer.concat([Buffer.from([0x0f, 0x08]), raw('bearer x')]));
    expect(encodeHeaderField('apns-topic', 'a.b')).toEqual(Buffer.concat([Buffer.from([0x00]), raw('apns-topic'), raw('a.b')]));
  });

  test('blocks decode back to the same list, and add nothing to the peer table', () => {
    const headers: Array<[string, string]> = [[':method', 'POST'], [':scheme', 'https'], [':authority', 'api.push.apple.com'],
      [':path', '/3/device/00fc13adff785122b4ad28809a3420982341241421348097878e577c991de8f0'], ['apns-topic', 'com.example.app'],
      ['authorization', `bearer ${'j'.repeat(200)}`], ['content-type', 'application/json']];
    const decoder = new HpackDecoder();
    expect(decoder.decode(encodeHeaderBlock(headers))).toEqual(headers);
    expect(() => decoder.decode(Buffer.from([0x80 | 62]))).toThrow(HpackError);
  });
});

/** A raw (non-Huffman) string literal with a length under 127. */
function raw(text: string): Buffer {
  return Buffer.concat([Buffer.from([Buffer.byteLength(text, 'latin1')]), Buffer.from(text, 'latin1')]);
}
