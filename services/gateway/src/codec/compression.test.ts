import { createCompressor, DEFAULT_COMPRESSION_TUNING, DISCORD_ZSTD_TUNING, isReleasable, LEAN_ZLIB_TUNING, LEAN_ZSTD_TUNING } from './compression';
import { TRANSPORT_COMPRESSIONS } from './gateway-query';
import { ZlibStreamCompressor } from './zlib-stream';
import { ZstdStreamCompressor } from './zstd-stream';

describe('createCompressor', () => {
  it('makes an unallocated compressor for every transport compression name', () => {
    for (const name of TRANSPORT_COMPRESSIONS) {
      const compressor = createCompressor(name);
      expect(compressor.name).toBe(name);
      expect(compressor.allocated).toBe(false);
    }
  });

  it('uses Discord\'s zstd tuning by default and the given tuning otherwise', () => {
    expect(DEFAULT_COMPRESSION_TUNING.zstd).toEqual(DISCORD_ZSTD_TUNING);
    const zstd = createCompressor('zstd-stream', { zlib: LEAN_ZLIB_TUNING, zstd: LEAN_ZSTD_TUNING });
    expect((zstd as ZstdStreamCompressor).tuning).toBe(LEAN_ZSTD_TUNING);
    const zlibCompressor = createCompressor('zlib-stream', { zlib: LEAN_ZLIB_TUNING, zstd: LEAN_ZSTD_TUNING });
    expect((zlibCompressor as ZlibStreamCompressor).tuning).toBe(LEAN_ZLIB_TUNING);
  });

  it('offers release only where the stream format allows it (zlib-stream, not zstd-stream)', () => {
    expect(isReleasable(createCompressor('zlib-stream'))).toBe(true);
    expect(isReleasable(createCompressor('zstd-stream'))).toBe(false);
  });
});
