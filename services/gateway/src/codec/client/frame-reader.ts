// Reads server frames the way a Discord client does, for tests and the project's own client:
// text frames are plain JSON whatever the compression; binary frames go through the connection's
// transport decompressor (or payload inflate), then the encoding's decoder.
import * as zlib from 'node:zlib';
import type { GatewayPayload } from '../encoding';
import { decodeEtf } from '../etf-decoder';
import type { EncodingName, TransportCompressionName } from '../gateway-query';
import { ZlibStreamInflater } from './zlib-stream-inflater';
import { ZstdStreamDecompressor } from './zstd-stream-decompressor';

export interface FrameReaderOptions {
  readonly encoding: EncodingName;
  readonly compression?: TransportCompressionName | undefined;
}

export class GatewayFrameReader {
  readonly #encoding: EncodingName;
  readonly #zlib: ZlibStreamInflater | undefined;
  readonly #zstd: ZstdStreamDecompressor | undefined;

  constructor(options: FrameReaderOptions) {
    this.#encoding = options.encoding;
    this.#zlib = options.compression === 'zlib-stream' ? new ZlibStreamInflater() : undefined;
    this.#zstd = options.compression === 'zstd-stream' ? new ZstdStreamDecompressor() : undefined;
  }

  /** One WebSocket message; null while a zlib-stream payload is still incomplete. */
  read(data: Buffer | string, isBinary: boolean): GatewayPayload | null {
    if (!isBinary) return JSON.parse(data.toString()) as GatewayPayload;
    const bytes = typeof data === 'string' ? Buffer.from(data) : data;
    const plain = this.#zlib ? this.#zlib.push(bytes) : this.#zstd ? this.#zstd.push(bytes) : this.#plainBinary(bytes);
    if (plain === null) return null;
    return (this.#encoding === 'etf' ? decodeEtf(plain, { atomKeys: true }) : JSON.parse(plain.toString('utf8'))) as GatewayPayload;
  }

  close(): void {
    this.#zlib?.close();
  }

  /** Without transport compression a binary frame is ETF, or a payload-compressed JSON frame. */
  #plainBinary(bytes: Buffer): Buffer {
    return this.#encoding === 'json' ? zlib.inflateSync(bytes) : bytes;
  }
}
