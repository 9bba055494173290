// zlib-stream: one deflate stream per connection, each message ended with Z_SYNC_FLUSH so it
// finishes on a byte boundary with the `00 00 ff ff` marker clients look for. Driven
// synchronously (see sync-zlib.ts); the context appears with the first message and can be
// released while the connection is quiet.
import * as zlib from 'node:zlib';
import type { ReleasableCompressor, ZlibTuning } from './compression';
import { CompressionError } from './errors';
import { inputScratch } from './scratch';
import { MIN_CHUNK, SyncZlib } from './sync-zlib';

const { Z_SYNC_FLUSH } = zlib.constants;

export class ZlibStreamCompressor implements ReleasableCompressor {
  readonly name = 'zlib-stream' as const;
  #engine: SyncZlib | undefined;
  /** Whether the zlib header has gone out: only the stream's first context may write it. */
  #headerSent = false;
  #closed = false;

  constructor(readonly tuning: ZlibTuning) {}

  get allocated(): boolean {
    return this.#engine !== undefined;
  }

  compress(message: Buffer | readonly Buffer[]): Buffer {
    if (this.#closed) throw new CompressionError('zlib-stream compressor is closed');
    const engine = (this.#engine ??= this.#open());
    const input = Buffer.isBuffer(message) ? message : inputScratch.join(message);
    const output = engine.process(input, Z_SYNC_FLUSH);
    inputScratch.trim();
    return output;
  }

  /**
   * Drops the context between messages. The client's inflater sits at a block boundary after
   * the last sync flush, so a fresh *raw* deflate stream (no second header) carries on from
   * there; it just cannot refer back to bytes sent before. Same windowBits as the header said,
   * so its distances stay within the window the client allocated.
   */
  release(): void {
    this.#engine?.close();
    this.#engine = undefined;
  }

  close(): void {
    this.release();
    this.#closed = true;
  }

  #open(): SyncZlib {
    const { level, windowBits, memLevel } = this.tuning;
    const options: zlib.ZlibOptions = { level, windowBits, memLevel, chunkSize: MIN_CHUNK };
    const engine = this.#headerSent ? zlib.createDeflateRaw(options) : zlib.createDeflate(options);
    this.#headerSent = true;
    return new SyncZlib(engine);
  }
}
