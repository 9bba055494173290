// The receiving end of zstd-stream: one decompression context for the connection; every
// WebSocket message is a whole gateway payload, decoded by calling ZSTD_decompressStream until
// the message's bytes are consumed and nothing more comes out (the frame itself never ends).
import { DCtx } from 'zstd-napi/binding';
import { CompressionError } from '../errors';

const CHUNK = 64 * 1024;

export class ZstdStreamDecompressor {
  readonly #dctx = new DCtx();

  /** One WebSocket message in, its payload out. */
  push(message: Buffer): Buffer {
    const chunks: Buffer[] = [];
    let consumed = 0;
    let length = 0;
    try {
      for (;;) {
        const out = Buffer.allocUnsafe(CHUNK);
        const [, produced, taken] = this.#dctx.decompressStream(out, consumed === 0 ? message : message.subarray(consumed));
        consumed += taken;
        if (produced > 0) chunks.push(out.subarray(0, produced));
        length += produced;
        // A full output buffer may hide more output; otherwise stop once the input is used up.
        if (produced < CHUNK && consumed >= message.length) break;
        if (produced === 0 && taken === 0) throw new Error('zstd made no progress');
      }
    } catch (error) {
      throw new CompressionError('zstd-stream message does not decompress', { cause: error });
    }
    return Buffer.concat(chunks, length);
  }
}
