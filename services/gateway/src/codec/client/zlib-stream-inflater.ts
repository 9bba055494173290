// The receiving end of zlib-stream, as Discord's clients do it: one inflate context for the
// connection; bytes are buffered until a message ends with the Z_SYNC_FLUSH marker, then
// inflated with Z_SYNC_FLUSH. For tests and the project's own client.
import * as zlib from 'node:zlib';
import { MIN_CHUNK, SyncZlib } from '../sync-zlib';

export function endsWithSyncMarker(chunk: Uint8Array): boolean {
  const n = chunk.length;
  return n >= 4 && chunk[n - 4] === 0 && chunk[n - 3] === 0 && chunk[n - 2] === 0xff && chunk[n - 1] === 0xff;
}

export class ZlibStreamInflater {
  readonly #inflate = new SyncZlib(zlib.createInflate({ chunkSize: MIN_CHUNK }));
  #pending: Buffer[] = [];

  /** One WebSocket message in; the inflated payload once a sync-flushed message completes it. */
  push(chunk: Buffer): Buffer | null {
    this.#pending.push(chunk);
    if (!endsWithSyncMarker(chunk)) return null;
    const input = this.#pending.length === 1 ? chunk : Buffer.concat(this.#pending);
    this.#pending = [];
    return this.#inflate.process(input, zlib.constants.Z_SYNC_FLUSH);
  }

  close(): void {
    this.#inflate.close();
  }
}
