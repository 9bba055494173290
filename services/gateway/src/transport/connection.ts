// One WebSocket connection: the session's encoding and transport compressor, and a bounded
// outbound queue flushed once per event-loop turn (see flush-scheduler.ts). Frames queued in a
// turn are compressed one by one (each stays its own WebSocket message, as clients require) and
// written as one buffer of hand-built frames (frame-writer.ts), so the kernel sees one write. A reader that does not keep up
// is closed with 4000 once queued + unsent bytes pass `maxQueuedBytes`; the session stays
// resumable (4000 keeps it), and resuming replays from the shared encoded dispatches.
import type { WebSocket } from 'ws';
import { createCompressor, frameLength, isReleasable } from '../codec';
import type { CompressionTuning, Compressor, EncodedDispatch, Encoding, GatewayPayload, TransportCompressionName } from '../codec';
import { CloseCodes } from '../protocol';
import type { DispatchShape } from '../session/environment';
import { closeCodeLabel } from '../session/metrics';
import type { GatewayMetrics } from '../session/metrics';
import type { Session, SessionLink } from '../session/session';
import { defaultFlushScheduler } from './flush-scheduler';
import { buildFrames, OPCODE_BINARY, OPCODE_TEXT } from './frame-writer';
import type { FramePayload } from './frame-writer';
import type { Flushable, FlushScheduler } from './flush-scheduler';

export interface ConnectionOptions {
  encoding: Encoding;
  compression: TransportCompressionName | undefined;
  tuning?: CompressionTuning;
  /** Bound on bytes queued here plus bytes the socket has not sent yet. */
  maxQueuedBytes: number;
  metrics?: GatewayMetrics;
  scheduler?: FlushScheduler;
  /** READY's resume_gateway_url for this connection. */
  resumeGatewayUrl?: string;
  /** Called once, after the socket closed (e.g. to release the session cap). */
  onClosed?: (code: number) => void;
}

/** Queue entries, three slots each (no object per frame): pieces, binary flag, event type or null. */
const STRIDE = 3;

export class Connection implements SessionLink, Flushable {
  readonly #ws: WebSocket;
  readonly #options: ConnectionOptions;
  #session: Session | undefined;
  #compressor: Compressor | undefined;
  #payloadCompression = false;
  #queue: unknown[] | undefined;
  #queuedBytes = 0;
  #closing = false;

  constructor(ws: WebSocket, options: ConnectionOptions) {
    this.#ws = ws;
    this.#options = options;
    // The codec allocates nothing until the first message.
    if (options.compression) this.#compressor = createCompressor(options.compression, options.tuning);
    ws.on('message', onMessage);
    ws.on('close', onClose);
    ws.on('error', noop); // a protocol error is followed by 'close'; the session decides there
    (ws as SocketWithConnection)[CONNECTION] = this;
    options.metrics?.connectionsOpened.inc();
  }

  get encoding(): Encoding {
    return this.#options.encoding;
  }

  get shape(): DispatchShape {
    if (this.#options.encoding.name === 'etf') return 'etf';
    return this.#payloadCompression ? 'json+payload-zlib' : 'json';
  }

  get resumeGatewayUrl(): string | undefined {
    return this.#options.resumeGatewayUrl;
  }

  /** Whether a transport compression context is allocated right now (memory, tests). */
  get compressionAllocated(): boolean {
    return this.#compressor?.allocated ?? false;
  }

  /** Closed, or closing (by either side). */
  get closing(): boolean {
    return this.#closing;
  }

  get queuedBytes(): number {
    return this.#queuedBytes;
  }

  bind(session: Session): void {
    this.#session = session;
  }

  enablePayloadCompression(): void {
    // Payload compression is off when transport compression is on, and JSON-only (Discord).
    if (!this.#compressor && this.#options.encoding.name === 'json') this.#payloadCompression = true;
  }

  sendPayload(payload: GatewayPayload): void {
    const bytes = this.#options.encoding.encodePayload(payload);
    this.#enqueue(bytes, this.#options.encoding.binary, null, bytes.length);
  }

  sendDispatch(dispatch: EncodedDispatch, seq: number): void {
    const pieces = dispatch.forSeq(seq);
    this.#enqueue(pieces, dispatch.binary, dispatch.t, frameLength(pieces));
  }

  close(code: number, reason: string): void {
    if (this.#closing) return;
    this.#closing = true;
    this.flush(); // frames queued before the close (op 9, ...) go first
    this.#ws.close(code, reason);
  }

  /** Writes everything queued, in order, as one buffer of frames in one write. Called by the scheduler. */
  flush(): void {
    const queue = this.#queue;
    if (!queue) return;
    this.#queue = undefined;
    this.#queuedBytes = 0;
    if (this.#ws.readyState !== this.#ws.OPEN) return;
    const payloads: FramePayload[] = [];
    const opcodes: number[] = [];
    let dispatched = false;
    for (let i = 0; i < queue.length; i += STRIDE) {
      const t = queue[i + 2] as string | null;
      if (t !== null) dispatched = true;
      const data = this.#payload(queue[i] as Buffer | readonly Buffer[], queue[i + 1] as boolean, t);
      payloads.push(data.payload);
      opcodes.push(data.binary ? OPCODE_BINARY : OPCODE_TEXT);
    }
    const socket = (this.#ws as unknown as { _socket?: { write(data: Buffer): boolean; destroyed: boolean } })._socket;
    if (socket && !socket.destroyed) socket.write(buildFrames(payloads, opcodes));
    // A flush with no dispatch (a heartbeat ACK) means the connection is quiet: free the zlib
    // context (~210 KB) until the next frame. zstd cannot be released (compression.ts).
    if (!dispatched && this.#compressor && isReleasable(this.#compressor)) this.#compressor.release();
  }

  #enqueue(frame: Buffer | readonly Buffer[], binary: boolean, t: string | null, bytes: number): void {
    if (this.#closing) return;
    if (this.#queuedBytes + bytes + this.#ws.bufferedAmount > this.#options.maxQueuedBytes) {
      this.#overflow();
      return;
    }
    let queue = this.#queue;
    if (!queue) {
      queue = this.#queue = [];
      (this.#options.scheduler ?? defaultFlushScheduler).mark(this);
    }
    queue.push(frame, binary, t);
    this.#queuedBytes += bytes;
  }

  /** One message's payload as it goes on the wire (compressed when the connection compresses). */
  #payload(frame: Buffer | readonly Buffer[], binary: boolean, t: string | null): { payload: FramePayload; binary: boolean } {
    const payload: FramePayload = this.#compressor ? this.#compressor.compress(frame) : frame;
    const metrics = this.#options.metrics;
    if (metrics && t !== null) {
      const compression = this.#compressor?.name ?? (this.#payloadCompression && binary ? 'payload-zlib' : 'none');
      metrics.countSent(t, compression, Buffer.isBuffer(payload) ? payload.length : frameLength(payload));
    }
    return { payload, binary: this.#compressor ? true : binary };
  }

  /** Server-side close with 4000 through the session, so it detaches at once and stays resumable. */
  closeResumable(reason: string): void {
    if (this.#session) this.#session.closeConnection(CloseCodes.UNKNOWN_ERROR, reason);
    else this.close(CloseCodes.UNKNOWN_ERROR.code, reason);
  }

  #overflow(): void {
    this.#queue = undefined;
    this.#queuedBytes = 0;
    this.closeResumable('Send queue over its bound (slow reader).');
  }

  /** @internal the socket's 'message' event. */
  received(data: Buffer): void {
    this.#session?.receive(data);
  }

  /** @internal the socket's 'close' event: the one place a connection ends. */
  closed(code: number): void {
    this.#closing = true;
    this.#queue = undefined;
    this.#compressor?.close();
    this.#options.metrics?.connectionsClosed.inc({ code: closeCodeLabel(code) });
    this.#session?.linkClosed(this, code);
    this.#options.onClosed?.(code);
  }
}

const CONNECTION = Symbol('gateway.connection');
type SocketWithConnection = WebSocket & { [CONNECTION]?: Connection };

// Shared listeners (`this` is the socket): no closures per connection.
function onMessage(this: SocketWithConnection, data: Buffer): void {
  this[CONNECTION]?.received(data);
}

function onClose(this: SocketWithConnection, code: number): void {
  this[CONNECTION]?.closed(code);
}

function noop(): void {}
