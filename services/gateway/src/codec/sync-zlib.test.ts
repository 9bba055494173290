// The one place that drives node:zlib's native handle directly: tested against Node's own
// public zlib functions so that a Node upgrade that changes the internals shows up here first.
import { randomBytes } from 'node:crypto';
import * as zlib from 'node:zlib';
import { CompressionError } from './errors';
import { outputScratch } from './scratch';
import { MIN_CHUNK, SyncZlib } from './sync-zlib';

const { Z_SYNC_FLUSH, Z_FINISH, Z_NO_FLUSH } = zlib.constants;
const text = (n: number) => Buffer.from(Array.from({ length: n }, (_, i) => `word${i % 97} `).join(''));

describe('SyncZlib – driving a node:zlib context synchronously', () => {
  it('produces exactly what zlib.deflateSync produces for the same input and level', () => {
    for (const input of [Buffer.alloc(0), Buffer.from('hello'), text(10_000)]) {
      const deflate = new SyncZlib(zlib.createDeflate({ chunkSize: MIN_CHUNK }));
      expect(deflate.process(input, Z_FINISH).equals(zlib.deflateSync(input))).toBe(true);
      deflate.close();
    }
  });

  it('keeps one stream across calls: sync-flushed pieces inflate as one zlib stream', () => {
    const deflate = new SyncZlib(zlib.createDeflate({ chunkSize: MIN_CHUNK }));
    const parts = [text(100), text(5000), Buffer.from('{"op":11}'), text(3)];
    const out = parts.map((part) => deflate.process(part, Z_SYNC_FLUSH));
    for (const piece of out) expect(piece.subarray(-4).equals(Buffer.from([0, 0, 0xff, 0xff]))).toBe(true);
    expect(zlib.inflateSync(Buffer.concat(out), { finishFlush: Z_SYNC_FLUSH }).equals(Buffer.concat(parts))).toBe(true);
    deflate.close();
  });

  it('returns fresh buffers that later calls never overwrite', () => {
    const deflate = new SyncZlib(zlib.createDeflate({ chunkSize: MIN_CHUNK }));
    const first = deflate.process(text(50), Z_SYNC_FLUSH);
    const copy = Buffer.from(first);
    for (let i = 0; i < 20; i++) deflate.process(randomBytes(2000), Z_SYNC_FLUSH);
    expect(first.equals(copy)).toBe(true);
  });

  it('grows past the shared output buffer for incompressible input larger than it', () => {
    const input = randomBytes(outputScratch.buffer.length * 3 + 17);
    const deflate = new SyncZlib(zlib.createDeflateRaw({ chunkSize: MIN_CHUNK }));
    const out = deflate.process(input, Z_SYNC_FLUSH);
    expect(out.length).toBeGreaterThan(input.length);
    expect(zlib.inflateRawSync(out, { finishFlush: Z_SYNC_FLUSH }).equals(input)).toBe(true);
    // One huge message does not pin a huge buffer for the rest of the process.
    expect(outputScratch.buffer.length).toBeLessThanOrEqual(1024 * 1024);
  });

  it('returns an empty buffer when a call produces nothing', () => {
    const deflate = new SyncZlib(zlib.createDeflateRaw({ chunkSize: MIN_CHUNK }));
    expect(deflate.process(Buffer.alloc(0), Z_NO_FLUSH)).toHaveLength(0);
  });

  it('inflates synchronously too, message by message', () => {
    const parts = [text(10), text(2000), text(1)];
    const deflate = new SyncZlib(zlib.createDeflate({ chunkSize: MIN_CHUNK }));
    const inflate = new SyncZlib(zlib.createInflate({ chunkSize: MIN_CHUNK }));
    for (const part of parts) expect(inflate.process(deflate.process(part, Z_SYNC_FLUSH), Z_SYNC_FLUSH).equals(part)).toBe(true);
  });

  it('turns an engine error into a CompressionError with the cause, without crashing later', async () => {
    const inflate = new SyncZlib(zlib.createInflate({ chunkSize: MIN_CHUNK }));
    let thrown: unknown;
    try {
      inflate.process(Buffer.from('definitely not zlib'), Z_SYNC_FLUSH);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(CompressionError);
    expect(((thrown as CompressionError).cause as Error).message).toMatch(/header/);
    // The engine's 'error' event fires on the next tick; it must not be an uncaught exception.
    await new Promise((resolve) => setImmediate(resolve));
  });

  it('reset() starts a new stream with the same settings', () => {
    const deflate = new SyncZlib(zlib.createDeflate({ chunkSize: MIN_CHUNK }));
    const once = deflate.process(text(300), Z_FINISH);
    deflate.reset();
    expect(deflate.process(text(300), Z_FINISH).equals(once)).toBe(true);
  });

  it('fails loudly if node:zlib no longer has the internals it drives', () => {
    const engine = zlib.createDeflate();
    (engine as unknown as { _writeState?: unknown })._writeState = undefined;
    expect(() => new SyncZlib(engine)).toThrow(/internals changed/);
  });
});
