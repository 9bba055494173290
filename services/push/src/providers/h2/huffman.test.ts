import { HUFFMAN_CODES, HUFFMAN_LENGTHS, huffmanDecode, huffmanEncode, huffmanEncodedLength } from './huffman';

const hex = (text: string): Buffer => Buffer.from(text.replace(/\s+/g, ''), 'hex');
const decode = (bytes: Uint8Array): string | null => huffmanDecode(bytes, 0, bytes.length);

/** A small deterministic generator (mulberry32), so a failing case can be replayed. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('the generated Huffman table', () => {
  test('is a complete prefix code with EOS (Kraft sum 1) and no code a prefix of another', () => {
    let kraft = 2 ** -30; // EOS
    for (let i = 0; i < 256; i++) kraft += 2 ** -HUFFMAN_LENGTHS[i]!;
    expect(kraft).toBe(1);
    const bits = HUFFMAN_CODES.map((code, i) => code.toString(2).padStart(HUFFMAN_LENGTHS[i]!, '0'));
    const sorted = [...bits, '1'.repeat(30)].sort();
    for (let i = 1; i < sorted.length; i++) expect(sorted[i]!.startsWith(sorted[i - 1]!)).toBe(false);
  });

  test('codes RFC 7541 C.4 strings as the RFC does', () => {
    const cases: Array<[string, string]> = [
      ['www.example.com', 'f1e3 c2e5 f23a 6ba0 ab90 f4ff'],
      ['no-cache', 'a8eb 1064 9cbf'],
      ['custom-key', '25a8 49e9 5ba9 7d7f'],
      ['custom-value', '25a8 49e9 5bb8 e8b4 bf'],
    ];
    for (const [text, coded] of cases) {
      expect(huffmanEncode(Buffer.from(text, 'latin1')).toString('hex')).toBe(hex(coded).toString('hex'));
      expect(huffmanEncodedLength(Buffer.from(text, 'latin1'))).toBe(hex(coded).length);
      expect(decode(hex(coded))).toBe(text);
    }
  });
});

describe('huffmanDecode', () => {
  test('decodes every byte value alone and all of them in one string', () => {
    const all = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
    for (let i = 0; i < 256; i++) expect(decode(huffmanEncode(all.subarray(i, i + 1)))).toBe(String.fromCharCode(i));
    expect(decode(huffmanEncode(all))).toBe(all.toString('latin1'));
  });

  test('round-trips random strings of random bytes and of ASCII', () => {
    const next = random(7541);
    for (let n = 0; n < 500; n++) {
      const ascii = n % 2 === 0;
      const bytes = Buffer.from(Array.from({ length: Math.floor(next() * 80) }, () => (ascii ? 0x20 + Math.floor(next() * 95) : Math.floor(next() * 256))));
      expect(decode(huffmanEncode(bytes))).toBe(bytes.toString('latin1'));
    }
  });

  test('decodes a range inside a larger buffer and an empty string', () => {
    const coded = hex('a8eb 1064 9cbf');
    const around = Buffer.concat([Buffer.from([0x00, 0x00]), coded, Buffer.from([0x00])]);
    expect(huffmanDecode(around, 2, 2 + coded.length)).toBe('no-cache');
    expect(decode(new Uint8Array(0))).toBe('');
  });

  test('decodes strings longer than its first scratch buffer', () => {
    const text = Buffer.from('0'.repeat(5000), 'latin1');
    expect(decode(huffmanEncode(text))).toBe(text.toString('latin1'));
  });

  test.each([
    ['padding of a whole byte', 'ff'],
    ['padding of 8 bits after a symbol ("a" then 11 ones)', '1fff'],
    ['padding of 29 bits', 'ff9fffffff'],
    ['padding that ends inside a symbol', '52bc30ffffffff'],
    ['padding of zeros ("0" then 000)', '00'],
    ['padding of mixed bits ("a" then 101)', '1d'],
    ['EOS inside the string', 'fffffffffc'],
    ['a symbol cut short (8 of the 10 bits of "?")', 'fe'],
  ])('returns null for %s', (_what, coded) => {
    expect(decode(hex(coded))).toBeNull();
  });

  test.each([
    ['07', '0', '00000 + 3 ones'],
    ['00ff', '0a', '00000 00011 + 6 ones'],
    ['0007', '00a', '00000 00000 00011 + 1 one'],
  ])('decodes %s as %j (%s)', (coded, text) => {
    expect(decode(hex(coded))).toBe(text);
  });
});
