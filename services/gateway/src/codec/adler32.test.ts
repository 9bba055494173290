import { randomBytes } from 'node:crypto';
import * as zlib from 'node:zlib';
import { adler32 } from './adler32';

/** zlib's own Adler-32: the last four bytes of a zlib stream, big-endian. */
const zlibAdler = (data: Buffer) => zlib.deflateSync(data, { level: 0 }).readUInt32BE(zlib.deflateSync(data, { level: 0 }).length - 4);

describe('adler32', () => {
  it('matches zlib for empty, small, 0xff-heavy and large inputs', () => {
    for (const data of [Buffer.alloc(0), Buffer.from('Wikipedia'), Buffer.alloc(100_000, 0xff), randomBytes(3 * 1024 * 1024 + 5)]) {
      expect(adler32(data)).toBe(zlibAdler(data));
    }
    expect(adler32(Buffer.from('Wikipedia'))).toBe(0x11e60398);
  });

  it('continues from a previous value as if the inputs were one', () => {
    const a = randomBytes(70_000);
    const b = Buffer.from('123}');
    expect(adler32(b, adler32(a))).toBe(adler32(Buffer.concat([a, b])));
  });
});
