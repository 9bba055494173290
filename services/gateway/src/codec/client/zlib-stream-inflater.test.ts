import { DEFAULT_ZLIB_TUNING } from '../compression';
import { ZlibStreamCompressor } from '../zlib-stream';
import { endsWithSyncMarker, ZlibStreamInflater } from './zlib-stream-inflater';

describe('ZlibStreamInflater', () => {
  it('buffers chunks until one ends with the sync marker, then returns the whole payload', () => {
    const compressor = new ZlibStreamCompressor(DEFAULT_ZLIB_TUNING);
    const payload = Buffer.from(JSON.stringify({ op: 0, d: 'x'.repeat(5000) + 'y'.repeat(3000) }));
    const compressed = compressor.compress(payload);
    const inflater = new ZlibStreamInflater();
    const cut = Math.floor(compressed.length / 2);
    expect(inflater.push(compressed.subarray(0, cut))).toBeNull();
    expect(inflater.push(compressed.subarray(cut))?.equals(payload)).toBe(true);
    expect(inflater.push(compressor.compress(Buffer.from('{"op":11}')))?.toString()).toBe('{"op":11}');
  });

  it('recognises the marker only at the very end', () => {
    expect(endsWithSyncMarker(Buffer.from([1, 0, 0, 0xff, 0xff]))).toBe(true);
    expect(endsWithSyncMarker(Buffer.from([0, 0, 0xff, 0xff, 1]))).toBe(false);
    expect(endsWithSyncMarker(Buffer.from([0, 0xff, 0xff]))).toBe(false);
  });
});
