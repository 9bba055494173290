import { DecompressStream } from 'zstd-napi';
import { ZstdStreamDecompressor } from './client/zstd-stream-decompressor';
import { DISCORD_ZSTD_TUNING, LEAN_ZSTD_TUNING } from './compression';
import { joinFrame } from './encoding';
import { CompressionError } from './errors';
import { jsonEncoding } from './json-encoding';
import { ZstdStreamCompressor } from './zstd-stream';

function messages(count: number): Buffer[][] {
  return Array.from({ length: count }, (_, i) => {
    const d = { id: `12351789078425${String(i).padStart(5, '0')}`, content: `zstd message ${i} `.repeat(1 + (i % 5) * 60), flags: 0 };
    return [...jsonEncoding.encodeDispatch('MESSAGE_CREATE', d).forSeq(i + 1)];
  });
}

/** zstd-napi's streaming decompressor (a Node Transform), fed one WebSocket message at a time. */
async function decompressWithStream(compressed: Buffer[]): Promise<string[]> {
  const stream = new DecompressStream();
  let chunks: Buffer[] = [];
  stream.on('data', (chunk: Buffer) => chunks.push(chunk));
  const decoded: string[] = [];
  for (const message of compressed) {
    await new Promise<void>((resolve, reject) => stream.write(message, (error) => (error ? reject(error) : resolve())));
    await new Promise((resolve) => setImmediate(resolve));
    decoded.push(Buffer.concat(chunks).toString('utf8'));
    chunks = [];
  }
  stream.destroy();
  return decoded;
}

describe('zstd-stream', () => {
  it.each([
    ['Discord tuning', DISCORD_ZSTD_TUNING],
    ['lean tuning', LEAN_ZSTD_TUNING],
  ])('%s: every message decompresses on its own with one streaming decompressor', async (_name, tuning) => {
    const frames = messages(40);
    const compressor = new ZstdStreamCompressor(tuning);
    const compressed = frames.map((frame) => compressor.compress(frame));
    expect(await decompressWithStream(compressed)).toEqual(frames.map((frame) => joinFrame(frame).toString('utf8')));
  });

  it('decodes message by message with the synchronous client decompressor', () => {
    const frames = messages(25);
    const compressor = new ZstdStreamCompressor(DISCORD_ZSTD_TUNING);
    const decompressor = new ZstdStreamDecompressor();
    for (const frame of frames) expect(decompressor.push(compressor.compress(frame)).equals(joinFrame(frame))).toBe(true);
  });

  it('writes one frame header, then refers back to earlier messages', () => {
    const compressor = new ZstdStreamCompressor(DISCORD_ZSTD_TUNING);
    const frame = Buffer.from(JSON.stringify({ op: 0, d: { text: 'a fairly long repeated payload '.repeat(20) } }));
    const first = compressor.compress(frame);
    const second = compressor.compress(frame);
    expect(first.readUInt32LE(0)).toBe(0xfd2fb528);
    expect(second.readUInt32LE(0)).not.toBe(0xfd2fb528);
    expect(second.length).toBeLessThan(first.length / 3);
  });

  it('applies the tuning: the frame header announces the configured window', () => {
    // Frame header: magic (4), descriptor (1), then the window descriptor: exponent in the high 5 bits + 10.
    const windowLog = (message: Buffer) => (message[5]! >> 3) + 10;
    expect(windowLog(new ZstdStreamCompressor(DISCORD_ZSTD_TUNING).compress(Buffer.from('x')))).toBe(18);
    expect(windowLog(new ZstdStreamCompressor(LEAN_ZSTD_TUNING).compress(Buffer.from('x')))).toBe(LEAN_ZSTD_TUNING.windowLog);
  });

  it('handles a message larger than the shared output buffer', () => {
    const big = Buffer.from(JSON.stringify({ op: 0, d: Array.from({ length: 40_000 }, (_, i) => ({ i, r: Math.random() })) }));
    const compressor = new ZstdStreamCompressor(LEAN_ZSTD_TUNING);
    const decompressor = new ZstdStreamDecompressor();
    expect(decompressor.push(compressor.compress(big)).equals(big)).toBe(true);
    expect(decompressor.push(compressor.compress(Buffer.from('{"op":11}'))).toString()).toBe('{"op":11}');
  });

  it('allocates its context on the first message and refuses to compress after close', () => {
    const compressor = new ZstdStreamCompressor(LEAN_ZSTD_TUNING);
    expect(compressor.allocated).toBe(false);
    compressor.compress([Buffer.from('{"op":'), Buffer.from('11}')]);
    expect(compressor.allocated).toBe(true);
    compressor.close();
    expect(() => compressor.compress(Buffer.from('x'))).toThrow(CompressionError);
  });
});
