// Transport compression: the port, its tuning and the factory.
//
// One Compressor per connection. Its context is created on the first message, not at connect:
// a connection that fails to identify, or is closed before its first frame, costs nothing. Each
// WebSocket message is compressed and flushed on its own, so the client can decode it with what
// it got before. To coalesce several frames into one socket write, call compress once per frame
// and write the results together (cork/uncork): every frame must stay its own WebSocket message,
// because clients expect exactly one payload per message (zlib: per `00 00 ff ff` suffix).
import type { TransportCompressionName } from './gateway-query';
import { ZlibStreamCompressor } from './zlib-stream';
import { ZstdStreamCompressor } from './zstd-stream';

export interface Compressor {
  readonly name: TransportCompressionName;
  /** Whether a compression context is currently allocated (false before the first message). */
  readonly allocated: boolean;
  /** Compresses one WebSocket message (its pieces in order) and flushes it. Synchronous. */
  compress(message: Buffer | readonly Buffer[]): Buffer;
  /** Frees the context for good (connection closed). */
  close(): void;
}

/**
 * Optional capability: drop the context between two messages without the client noticing, so
 * a quiet connection holds no compression memory. zlib-stream can (a sync flush leaves the
 * client's inflater at a block boundary, and a new raw deflate stream simply goes on from there,
 * without back-references into the past). zstd-stream cannot: a new context would have to start
 * a new zstd frame, and Discord's clients are entitled to assume the frame never ends (Node's
 * zstd stream, for one, treats a frame end as the end of the stream).
 */
export interface ReleasableCompressor extends Compressor {
  /** Frees the context now; the next message allocates a fresh one. */
  release(): void;
}

export function isReleasable(compressor: Compressor): compressor is ReleasableCompressor {
  return typeof (compressor as Partial<ReleasableCompressor>).release === 'function';
}

export interface ZlibTuning {
  /** 0–9; Node's default is 6. */
  readonly level: number;
  /** log2 of the window, 9–15: 2^(windowBits+2) bytes of context. */
  readonly windowBits: number;
  /** 1–9. Node's bundled zlib fixes its hash table at 2^15 entries, so this only sizes buffers. */
  readonly memLevel: number;
}

export interface ZstdTuning {
  readonly level: number;
  readonly windowLog: number;
  readonly hashLog: number;
  readonly chainLog: number;
  readonly searchLog?: number;
  readonly minMatch?: number;
}

export interface CompressionTuning {
  readonly zlib: ZlibTuning;
  readonly zstd: ZstdTuning;
}

/** zlib's own defaults, which is what Discord's zlib-stream uses. ~210 KB per context. */
export const DEFAULT_ZLIB_TUNING = { level: 6, windowBits: 15, memLevel: 8 } as const satisfies ZlibTuning;

/** An 8 KB window: ~120 KB per context instead of ~215 KB, for ~1.35x the bytes (npm run bench:codec). */
export const LEAN_ZLIB_TUNING = { level: 6, windowBits: 13, memLevel: 6 } as const satisfies ZlibTuning;

/** Discord's published zstd-stream tuning: ~370 KB per context at first, ~630 KB once its window is full. */
export const DISCORD_ZSTD_TUNING = { level: 6, windowLog: 18, hashLog: 16, chainLog: 16 } as const satisfies ZstdTuning;

/**
 * Same level, a 128 KB window and 16k-entry tables: ~135 KB per context at first and ~260 KB once
 * the window is full (vs ~370/630 KB), for ~1.12–1.14x the bytes of Discord's tuning on the
 * benchmark's message mixes. The hash table size matters more than the window for small JSON
 * messages: hashLog 13 costs ~1.28x the bytes, windowLog 16 ~1.18x (npm run bench:codec).
 */
export const LEAN_ZSTD_TUNING = { level: 6, windowLog: 17, hashLog: 14, chainLog: 14 } as const satisfies ZstdTuning;

export const DEFAULT_COMPRESSION_TUNING: CompressionTuning = { zlib: DEFAULT_ZLIB_TUNING, zstd: DISCORD_ZSTD_TUNING };

/** A compressor for one connection; nothing is allocated until its first message. */
export function createCompressor(name: TransportCompressionName, tuning: CompressionTuning = DEFAULT_COMPRESSION_TUNING): Compressor {
  return name === 'zlib-stream' ? new ZlibStreamCompressor(tuning.zlib) : new ZstdStreamCompressor(tuning.zstd);
}
