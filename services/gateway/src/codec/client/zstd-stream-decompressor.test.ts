import { DISCORD_ZSTD_TUNING } from '../compression';
import { CompressionError } from '../errors';
import { ZstdStreamCompressor } from '../zstd-stream';
import { ZstdStreamDecompressor } from './zstd-stream-decompressor';

describe('ZstdStreamDecompressor', () => {
  it('returns each message whole, including one that inflates beyond its 64 KB output chunk', () => {
    const compressor = new ZstdStreamCompressor(DISCORD_ZSTD_TUNING);
    const decompressor = new ZstdStreamDecompressor();
    const huge = Buffer.from(JSON.stringify({ op: 0, d: 'abc'.repeat(100_000) }));
    expect(decompressor.push(compressor.compress(Buffer.from('{"op":10}'))).toString()).toBe('{"op":10}');
    expect(decompressor.push(compressor.compress(huge)).equals(huge)).toBe(true);
    expect(decompressor.push(compressor.compress(Buffer.from('{"op":11}'))).toString()).toBe('{"op":11}');
  });

  it('reports bytes that are not zstd as a CompressionError', () => {
    expect(() => new ZstdStreamDecompressor().push(Buffer.from('definitely not zstd'))).toThrow(CompressionError);
  });
});
