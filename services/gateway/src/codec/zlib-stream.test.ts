import * as zlib from 'node:zlib';
import { endsWithSyncMarker, ZlibStreamInflater } from './client/zlib-stream-inflater';
import { DEFAULT_ZLIB_TUNING, LEAN_ZLIB_TUNING } from './compression';
import { joinFrame } from './encoding';
import { CompressionError } from './errors';
import { jsonEncoding } from './json-encoding';
import { ZlibStreamCompressor } from './zlib-stream';

/** Consecutive gateway messages: a big one, small ones, repeats (so history matters). */
function messages(count: number): Buffer[][] {
  return Array.from({ length: count }, (_, i) => {
    const d = { id: `12351789078425${String(i).padStart(5, '0')}`, content: `message number ${i} `.repeat(1 + (i % 7) * 40), embeds: [] };
    return [...jsonEncoding.encodeDispatch('MESSAGE_CREATE', d).forSeq(i + 1)];
  });
}

/** discord.js's native path: one zlib.createInflate stream with Z_SYNC_FLUSH, fed message by message. */
async function inflateLikeDiscordJs(compressed: Buffer[]): Promise<string[]> {
  const inflate = zlib.createInflate({ flush: zlib.constants.Z_SYNC_FLUSH, chunkSize: 65_535 });
  let chunks: Buffer[] = [];
  inflate.on('data', (chunk: Buffer) => chunks.push(chunk));
  const decoded: string[] = [];
  for (const message of compressed) {
    await new Promise<void>((resolve, reject) => inflate.write(message, (error) => (error ? reject(error) : resolve())));
    decoded.push(Buffer.concat(chunks).toString('utf8'));
    chunks = [];
  }
  inflate.close();
  return decoded;
}

describe('zlib-stream', () => {
  it('ends every message with 00 00 ff ff and decodes with ONE inflate stream on the client', async () => {
    const frames = messages(60);
    const compressor = new ZlibStreamCompressor(DEFAULT_ZLIB_TUNING);
    const compressed = frames.map((frame) => compressor.compress(frame));
    for (const message of compressed) expect(endsWithSyncMarker(message)).toBe(true);
    const decoded = await inflateLikeDiscordJs(compressed);
    expect(decoded).toEqual(frames.map((frame) => joinFrame(frame).toString('utf8')));
  });

  it('decodes message by message with a synchronous inflater too (zlib-sync style)', () => {
    const frames = messages(30);
    const compressor = new ZlibStreamCompressor(LEAN_ZLIB_TUNING);
    const inflater = new ZlibStreamInflater();
    for (const frame of frames) expect(inflater.push(compressor.compress(frame))?.equals(joinFrame(frame))).toBe(true);
  });

  it('starts with the zlib header only once, then uses shared history (later repeats are small)', () => {
    const compressor = new ZlibStreamCompressor(DEFAULT_ZLIB_TUNING);
    const frame = Buffer.from(JSON.stringify({ op: 0, t: 'X', d: { text: 'a fairly long repeated payload '.repeat(20) } }));
    const first = compressor.compress(frame);
    const second = compressor.compress(frame);
    expect(first[0]).toBe(0x78);
    expect(second.length).toBeLessThan(first.length / 3);
  });

  it('allocates its context on the first message, not at construction', () => {
    const compressor = new ZlibStreamCompressor(DEFAULT_ZLIB_TUNING);
    expect(compressor.allocated).toBe(false);
    compressor.compress(Buffer.from('{"op":10,"d":{"heartbeat_interval":41250}}'));
    expect(compressor.allocated).toBe(true);
  });

  it('can release its context between messages without the client noticing', async () => {
    const frames = messages(20);
    const compressor = new ZlibStreamCompressor(DEFAULT_ZLIB_TUNING);
    const compressed = frames.map((frame, i) => {
      if (i % 3 === 2) {
        compressor.release();
        expect(compressor.allocated).toBe(false);
      }
      return compressor.compress(frame);
    });
    // Only the stream's first message carries a zlib header.
    expect(compressed.filter((message) => message[0] === 0x78 && message[1] === 0x9c)).toHaveLength(1);
    expect(await inflateLikeDiscordJs(compressed)).toEqual(frames.map((frame) => joinFrame(frame).toString('utf8')));
  });

  it('compresses a Buffer or the same bytes as a list of pieces identically', () => {
    const a = new ZlibStreamCompressor(DEFAULT_ZLIB_TUNING);
    const b = new ZlibStreamCompressor(DEFAULT_ZLIB_TUNING);
    expect(a.compress([Buffer.from('{"op"'), Buffer.from(':11}')]).equals(b.compress(Buffer.from('{"op":11}')))).toBe(true);
  });

  it('refuses to compress after close', () => {
    const compressor = new ZlibStreamCompressor(DEFAULT_ZLIB_TUNING);
    compressor.compress(Buffer.from('x'));
    compressor.close();
    expect(compressor.allocated).toBe(false);
    expect(() => compressor.compress(Buffer.from('x'))).toThrow(CompressionError);
  });
});
