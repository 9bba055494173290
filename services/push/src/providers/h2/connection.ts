// One HTTP/2 client connection (RFC 9113) for request/response exchanges with small bodies, as
// the FCM and APNs clients make them: h2 over TLS (ALPN) or h2c with prior knowledge.
//
// Why not node:http2: its client costs ~45 µs of CPU per request here (a Duplex stream per
// request, an AsyncResource, a dozen ticks and ~12 KB of garbage), about 40% of the push
// service's CPU per notification; this connection does the same exchange in ~13 µs. It supports
// what these exchanges need, and no more: no server push (disabled in our SETTINGS), no
// priorities, no upgrade from HTTP/1.1, no request trailers, responses held whole in memory.
// Everything a peer may send is handled by the RFC's rules: SETTINGS (acked and applied), PING
// (acked), GOAWAY (streams above the last id fail as refused, nothing new starts), RST_STREAM,
// WINDOW_UPDATE and both levels of send flow control, padding, CONTINUATION, informational 1xx
// responses and trailers.
import * as net from 'node:net';
import * as tls from 'node:tls';
import {
  CONNECTION_PREFACE, dataFrame, DEFAULT_MAX_FRAME_SIZE, DEFAULT_WINDOW, ErrorCode, Flag, FrameReader, FrameType,
  goawayFrame, H2ProtocolError, headersFrames, pingAckFrame, MAX_STREAM_ID, MAX_WINDOW, parseSettings, rstStreamFrame, Setting, SETTINGS_ACK,
  settingsFrame, unpad, windowUpdateFrame,
} from './frames';
import type { Frame } from './frames';
import { RequestHeaderEncoder } from './header-block';
import { HpackDecoder, HpackError } from './hpack';
import type { HeaderList } from './hpack';
import { H2Stream, H2StreamError } from './stream';
import type { H2Response, H2ResponseCallback } from './stream';

export { H2Stream, H2StreamError } from './stream';
export type { H2Response, H2ResponseCallback, H2StreamErrorKind } from './stream';

/** Our receive window per stream (SETTINGS_INITIAL_WINDOW_SIZE): responses far larger than any provider answer. */
const STREAM_RECEIVE_WINDOW = 1 << 20;
/** Added to the connection's receive window at start, and re-granted as responses are read. */
const CONNECTION_RECEIVE_WINDOW = 1 << 24;
const MAX_HEADER_LIST_BYTES = 64 * 1024;
/** A peer that has not sent its SETTINGS by then is not an HTTP/2 server we can use (RFC 9113 §3.4). */
const SETTINGS_TIMEOUT_MS = 10_000;

export interface H2ConnectionOptions {
  /** `https://host[:port]` (TLS, ALPN h2) or `http://host:port` (h2c, prior knowledge). */
  origin: string;
  /** TLS options for https origins (ca, cert, key, servername, …). */
  connectOptions?: tls.ConnectionOptions;
  /** A response body over this many bytes fails its stream. Default 64 KiB. */
  maxResponseBytes?: number;
  /** The peer's first SETTINGS must come within this long, or the connection fails. Default 10 s. */
  settingsTimeoutMs?: number;
  /** The peer's SETTINGS arrived or changed (its stream limit may be new). */
  onSettings?: () => void;
  /** Once: the connection takes no new streams any more (GOAWAY, error, close). */
  onUnusable?: (reason: Error | undefined) => void;
  /** Once: the socket closed; every stream has finished or failed. */
  onClose?: () => void;
}

export class H2Connection {
  /** The peer's SETTINGS_MAX_CONCURRENT_STREAMS (unlimited until its SETTINGS say otherwise). */
  maxConcurrentStreams = Number.POSITIVE_INFINITY;
  private readonly socket: net.Socket;
  private readonly reader = new FrameReader(DEFAULT_MAX_FRAME_SIZE);
  private readonly decoder = new HpackDecoder({ maxHeaderListSize: MAX_HEADER_LIST_BYTES });
  private readonly scheme: string;
  private readonly authority: string;
  private readonly maxResponseBytes: number;
  /** Streams sent and not finished, by id. */
  private readonly open = new Map<number, H2Stream>();
  /** Streams waiting for the peer's SETTINGS or for room under its stream limit. */
  private readonly queued: H2Stream[] = [];
  /** Streams with request body bytes still to send (flow control), in order. */
  private readonly sending: H2Stream[] = [];
  private out: Buffer[] = [];
  private flushScheduled = false;
  private nextStreamId = 1;
  private settingsReceived = false;
  private peerInitialWindow = DEFAULT_WINDOW;
  private peerMaxFrameSize = DEFAULT_MAX_FRAME_SIZE;
  private sendWindow = DEFAULT_WINDOW;
  private unackedReceived = 0;
  /** A HEADERS block being continued: its stream, END_STREAM flag and fragments. */
  private continuing: { streamId: number; endStream: boolean; fragments: Buffer[] } | undefined;
  private readonly fields = new RequestHeaderEncoder();
  private unusableReason: Error | undefined;
  private isUnusable = false;
  private closed = false;
  private goingAway = false;
  private readonly closedSignal: Promise<void>;
  private readonly settingsTimer: NodeJS.Timeout;
  private resolveClosed!: () => void;

  constructor(private readonly options: H2ConnectionOptions) {
    const url = new URL(options.origin);
    const secure = url.protocol === 'https:';
    if (!secure && url.protocol !== 'http:') throw new Error(`origin must be http(s)://, got ${options.origin}`);
    this.scheme = secure ? 'https' : 'http';
    this.authority = url.host;
    this.maxResponseBytes = options.maxResponseBytes ?? 64 * 1024;
    this.closedSignal = new Promise((resolve) => (this.resolveClosed = resolve));
    const host = url.hostname.replace(/^\[|\]$/g, '');
    const port = Number(url.port || (secure ? 443 : 80));
    this.socket = secure
      ? tls.connect({ host, port, servername: net.isIP(host) ? undefined : host, ALPNProtocols: ['h2'], ...options.connectOptions })
      : net.connect({ host, port });
    this.socket.setNoDelay(true);
    if (secure) {
      this.socket.once('secureConnect', () => {
        const alpn = (this.socket as tls.TLSSocket).alpnProtocol;
        if (alpn !== 'h2') this.fail(new Error(`${url.origin} did not negotiate h2 (ALPN: ${alpn || 'none'})`));
      });
    }
    const settingsTimeout = options.settingsTimeoutMs ?? SETTINGS_TIMEOUT_MS;
    this.settingsTimer = setTimeout(() => this.fail(new Error(`no SETTINGS from ${url.origin} within ${settingsTimeout} ms`)), settingsTimeout);
    this.settingsTimer.unref();
    this.socket.on('data', (chunk: Buffer) => this.receive(chunk));
    this.socket.on('error', (error) => this.fail(error));
    this.socket.on('close', () => this.onSocketClose());
    // Written now, sent once connected: the preface, our SETTINGS and a larger connection window.
    this.write(CONNECTION_PREFACE);
    this.write(settingsFrame([
      [Setting.ENABLE_PUSH, 0],
      [Setting.INITIAL_WINDOW_SIZE, STREAM_RECEIVE_WINDOW],
      [Setting.MAX_HEADER_LIST_SIZE, MAX_HEADER_LIST_BYTES],
    ]));
    this.write(windowUpdateFrame(0, CONNECTION_RECEIVE_WINDOW));
  }

  /** False once the connection takes no new streams. */
  get usable(): boolean {
    return !this.isUnusable;
  }

  /** Streams started or waiting to start on this connection. */
  get activeStreams(): number {
    return this.open.size + this.queued.length;
  }

  /**
   * Sends one request; `done` is called once with the whole response or an H2StreamError. The
   * returned stream can be cancelled (RST_STREAM CANCEL; `done` is then not called).
   */
  request(method: string, path: string, headers: HeaderList, body: Buffer | undefined, done: H2ResponseCallback): H2Stream {
    const stream = new H2Stream(this, method, path, headers, body, done, this.maxResponseBytes);
    if (this.isUnusable) {
      stream.fail(new H2StreamError(`the connection takes no new streams: ${this.unusableReason?.message ?? 'closed'}`, 'refused'));
      return stream;
    }
    this.queued.push(stream);
    this.startQueued();
    return stream;
  }

  /** Stops new streams (GOAWAY NO_ERROR), lets open ones finish, then closes the socket. */
  close(): void {
    if (this.closed) return;
    if (!this.goingAway) {
      this.goingAway = true;
      this.write(goawayFrame(0, ErrorCode.NO_ERROR));
    }
    this.markUnusable(undefined);
    for (const stream of this.queued.splice(0)) stream.fail(new H2StreamError('the connection is closing', 'refused'));
    if (this.open.size === 0) this.endSocket();
  }

  /** Resolves once the socket has closed. */
  whenClosed(): Promise<void> {
    return this.closedSignal;
  }

  /** Closes the socket now; open streams fail. */
  destroy(error?: Error): void {
    this.fail(error ?? new Error('connection destroyed'));
  }

  /** @internal the stream gave up (cancel, oversized response): forget it, tell the peer if it was sent. */
  cancelStream(stream: H2Stream, code: number): void {
    const queuedAt = this.queued.indexOf(stream);
    if (queuedAt >= 0) {
      this.queued.splice(queuedAt, 1);
      return;
    }
    if (stream.id === 0 || !this.open.has(stream.id)) return;
    this.open.delete(stream.id);
    this.dropSending(stream);
    if (!this.closed) this.write(rstStreamFrame(stream.id, code));
    this.streamEnded();
  }

  private startQueued(): void {
    if (!this.settingsReceived) return; // the peer's limits first
    while (this.queued.length > 0 && this.open.size < this.maxConcurrentStreams && !this.isUnusable) {
      if (this.nextStreamId > MAX_STREAM_ID) {
        this.markUnusable(new Error('stream ids exhausted'));
        break;
      }
      this.send(this.queued.shift()!);
    }
    if (this.isUnusable) for (const stream of this.queued.splice(0)) stream.fail(new H2StreamError('the connection takes no new streams', 'refused'));
  }

  private send(stream: H2Stream): void {
    stream.id = this.nextStreamId;
    this.nextStreamId += 2;
    stream.sendWindow = this.peerInitialWindow;
    this.open.set(stream.id, stream);
    const block = this.fields.block(stream.method, this.scheme, this.authority, stream.path, stream.headers, stream.pendingBody?.length);
    const endStream = stream.pendingBody === undefined;
    for (const out of headersFrames(stream.id, block, endStream, this.peerMaxFrameSize)) this.write(out);
    if (!endStream) {
      this.sending.push(stream);
      this.flushBodies();
    }
  }

  /** Sends what the flow-control windows allow of the pending request bodies, in order. */
  private flushBodies(): void {
    for (let i = 0; i < this.sending.length && this.sendWindow > 0; ) {
      const stream = this.sending[i]!;
      const body = stream.pendingBody!;
      const length = Math.min(body.length - stream.bodyOffset, this.sendWindow, stream.sendWindow, this.peerMaxFrameSize);
      if (length <= 0 && body.length > stream.bodyOffset) {
        i += 1; // this stream's own window is empty: the next one may still send
        continue;
      }
      const last = stream.bodyOffset + length >= body.length;
      this.write(dataFrame(stream.id, body, stream.bodyOffset, length, last));
      stream.bodyOffset += length;
      stream.sendWindow -= length;
      this.sendWindow -= length;
      if (last) {
        stream.pendingBody = undefined;
        this.sending.splice(i, 1);
      }
    }
  }

  private dropSending(stream: H2Stream): void {
    const index = this.sending.indexOf(stream);
    if (index >= 0) this.sending.splice(index, 1);
  }

  private write(buffer: Buffer): void {
    this.out.push(buffer);
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    // One socket write per tick for every frame queued in it (requests come in bursts).
    process.nextTick(() => this.flush());
  }

  private flush(): void {
    this.flushScheduled = false;
    if (this.out.length === 0 || this.socket.destroyed) {
      this.out = [];
      return;
    }
    const data = this.out.length === 1 ? this.out[0]! : Buffer.concat(this.out);
    this.out = [];
    this.socket.write(data);
  }

  private receive(chunk: Buffer): void {
    try {
      this.reader.push(chunk, (frame) => this.onFrame(frame));
    } catch (error) {
      const code = error instanceof H2ProtocolError ? error.code : error instanceof HpackError ? ErrorCode.COMPRESSION_ERROR : ErrorCode.INTERNAL_ERROR;
      if (!this.closed) {
        // Last stream id 0: the peer cannot open streams (no server push).
        this.write(goawayFrame(0, code, error instanceof Error ? error.message : ''));
        this.flush();
      }
      this.fail(error instanceof Error ? error : new Error(String(error)));
    }
  }

  private onFrame(frame: Frame): void {
    if (this.continuing && frame.type !== FrameType.CONTINUATION) throw new H2ProtocolError('a header block was interrupted');
    switch (frame.type) {
      case FrameType.DATA: return this.onData(frame);
      case FrameType.HEADERS: return this.onHeaders(frame);
      case FrameType.CONTINUATION: return this.onContinuation(frame);
      case FrameType.RST_STREAM: return this.onRstStream(frame);
      case FrameType.SETTINGS: return this.onSettings(frame);
      case FrameType.PING: return this.onPing(frame);
      case FrameType.GOAWAY: return this.onGoaway(frame);
      case FrameType.WINDOW_UPDATE: return this.onWindowUpdate(frame);
      case FrameType.PUSH_PROMISE: throw new H2ProtocolError('PUSH_PROMISE although SETTINGS_ENABLE_PUSH is 0');
      default: return; // PRIORITY, unknown extension frames: ignored (RFC 9113 §4.1, §5.5)
    }
  }

  private onData(frame: Frame): void {
    if (frame.streamId === 0) throw new H2ProtocolError('DATA on stream 0');
    // Flow control counts the whole payload, padding included; re-grant in large steps.
    this.unackedReceived += frame.payload.length;
    if (this.unackedReceived >= CONNECTION_RECEIVE_WINDOW / 2) {
      this.write(windowUpdateFrame(0, this.unackedReceived));
      this.unackedReceived = 0;
    }
    const stream = this.open.get(frame.streamId);
    if (!stream) return; // cancelled or already failed
    stream.onData(unpad(frame));
    if (frame.flags & Flag.END_STREAM) this.finish(stream);
  }

  private onHeaders(frame: Frame): void {
    if (frame.streamId === 0) throw new H2ProtocolError('HEADERS on stream 0');
    const fragment = unpad(frame);
    const endStream = (frame.flags & Flag.END_STREAM) !== 0;
    if (frame.flags & Flag.END_HEADERS) return this.onHeaderBlock(frame.streamId, fragment, endStream);
    this.continuing = { streamId: frame.streamId, endStream, fragments: [Buffer.from(fragment)] };
  }

  private onContinuation(frame: Frame): void {
    const continuing = this.continuing;
    if (!continuing || continuing.streamId !== frame.streamId) throw new H2ProtocolError('CONTINUATION without its HEADERS');
    continuing.fragments.push(Buffer.from(frame.payload));
    if (!(frame.flags & Flag.END_HEADERS)) return;
    this.continuing = undefined;
    this.onHeaderBlock(continuing.streamId, Buffer.concat(continuing.fragments), continuing.endStream);
  }

  private onHeaderBlock(streamId: number, block: Buffer, endStream: boolean): void {
    // Decoded even for a stream we no longer track: the decoder's table must see every block.
    const headers = this.decoder.decode(block);
    const stream = this.open.get(streamId);
    if (!stream) return;
    stream.onHeaders(headers);
    if (endStream) this.finish(stream);
  }

  private onRstStream(frame: Frame): void {
    if (frame.streamId === 0 || frame.payload.length !== 4) throw new H2ProtocolError('a malformed RST_STREAM', frame.streamId === 0 ? ErrorCode.PROTOCOL_ERROR : ErrorCode.FRAME_SIZE_ERROR);
    const stream = this.open.get(frame.streamId);
    if (!stream) return;
    const code = frame.payload.readUInt32BE(0);
    this.open.delete(stream.id);
    this.dropSending(stream);
    // REFUSED_STREAM: the peer did no work for it, so sending it again is safe (RFC 9113 §8.7).
    stream.fail(new H2StreamError(`stream reset by the peer (code ${code})`, code === ErrorCode.REFUSED_STREAM ? 'refused' : 'reset', code));
    this.streamEnded();
  }

  private onSettings(frame: Frame): void {
    if (frame.streamId !== 0) throw new H2ProtocolError('SETTINGS on a stream');
    if (frame.flags & Flag.ACK) return;
    for (const [id, value] of parseSettings(frame.payload)) this.applySetting(id, value);
    this.write(SETTINGS_ACK);
    this.settingsReceived = true;
    clearTimeout(this.settingsTimer);
    this.flushBodies();
    this.startQueued();
    this.options.onSettings?.();
  }

  private applySetting(id: number, value: number): void {
    switch (id) {
      case Setting.MAX_CONCURRENT_STREAMS:
        this.maxConcurrentStreams = value;
        break;
      case Setting.INITIAL_WINDOW_SIZE: {
        if (value > MAX_WINDOW) throw new H2ProtocolError('SETTINGS_INITIAL_WINDOW_SIZE over 2^31-1', ErrorCode.FLOW_CONTROL_ERROR);
        const delta = value - this.peerInitialWindow;
        this.peerInitialWindow = value;
        for (const stream of this.open.values()) stream.sendWindow += delta;
        break;
      }
      case Setting.MAX_FRAME_SIZE:
        if (value < DEFAULT_MAX_FRAME_SIZE || value > 16_777_215) throw new H2ProtocolError('SETTINGS_MAX_FRAME_SIZE out of range');
        this.peerMaxFrameSize = value;
        break;
      case Setting.ENABLE_PUSH:
        if (value > 1) throw new H2ProtocolError('SETTINGS_ENABLE_PUSH other than 0 or 1');
        break;
      default:
        break; // HEADER_TABLE_SIZE: we never index; MAX_HEADER_LIST_SIZE: our blocks are small; unknown: ignored
    }
  }

  private onPing(frame: Frame): void {
    if (frame.streamId !== 0) throw new H2ProtocolError('PING on a stream');
    if (frame.payload.length !== 8) throw new H2ProtocolError('a PING frame of a wrong length', ErrorCode.FRAME_SIZE_ERROR);
    if (frame.flags & Flag.ACK) return;
    this.write(pingAckFrame(frame.payload));
  }

  private onGoaway(frame: Frame): void {
    if (frame.streamId !== 0 || frame.payload.length < 8) throw new H2ProtocolError('a malformed GOAWAY');
    const lastStreamId = frame.payload.readUInt32BE(0) & MAX_STREAM_ID;
    const code = frame.payload.readUInt32BE(4);
    const debug = frame.payload.subarray(8).toString('utf8');
    const reason = new Error(`GOAWAY from the peer (code ${code}${debug ? `: ${debug}` : ''})`);
    this.markUnusable(reason);
    // Streams above the last id were not processed: they may be sent again elsewhere.
    for (const stream of [...this.open.values()]) {
      if (stream.id <= lastStreamId) continue;
      this.open.delete(stream.id);
      this.dropSending(stream);
      stream.fail(new H2StreamError(reason.message, 'refused', code));
    }
    for (const stream of this.queued.splice(0)) stream.fail(new H2StreamError(reason.message, 'refused', code));
    if (this.open.size === 0) this.endSocket();
  }

  private onWindowUpdate(frame: Frame): void {
    if (frame.payload.length !== 4) throw new H2ProtocolError('a WINDOW_UPDATE of a wrong length', ErrorCode.FRAME_SIZE_ERROR);
    const increment = frame.payload.readUInt32BE(0) & MAX_WINDOW;
    if (frame.streamId === 0) {
      if (increment === 0) throw new H2ProtocolError('a WINDOW_UPDATE of 0');
      this.sendWindow += increment;
      if (this.sendWindow > MAX_WINDOW) throw new H2ProtocolError('the connection window over 2^31-1', ErrorCode.FLOW_CONTROL_ERROR);
    } else {
      const stream = this.open.get(frame.streamId);
      if (!stream) return;
      stream.sendWindow += increment;
      if (increment === 0 || stream.sendWindow > MAX_WINDOW) {
        this.cancelStream(stream, ErrorCode.FLOW_CONTROL_ERROR);
        stream.fail(new H2StreamError('a flow-control error on the stream', 'reset', ErrorCode.FLOW_CONTROL_ERROR));
        return;
      }
    }
    this.flushBodies();
  }

  private finish(stream: H2Stream): void {
    this.open.delete(stream.id);
    this.dropSending(stream);
    stream.complete();
    this.streamEnded();
  }

  private streamEnded(): void {
    if (this.isUnusable) {
      if (this.open.size === 0 && (this.goingAway || this.unusableReason)) this.endSocket();
      return;
    }
    this.startQueued();
  }

  private markUnusable(reason: Error | undefined): void {
    if (this.isUnusable) return;
    this.isUnusable = true;
    this.unusableReason = reason;
    this.options.onUnusable?.(reason);
  }

  private endSocket(): void {
    if (this.closed) return;
    this.flush();
    this.socket.end();
  }

  /** The connection is lost: every stream fails, the socket goes. */
  private fail(error: Error): void {
    clearTimeout(this.settingsTimer);
    this.markUnusable(error);
    const streams = [...this.open.values(), ...this.queued.splice(0)];
    this.open.clear();
    this.sending.length = 0;
    for (const stream of streams) stream.fail(new H2StreamError(`connection lost: ${error.message}`, 'closed'));
    if (!this.socket.destroyed) this.socket.destroy();
  }

  private onSocketClose(): void {
    if (this.closed) return;
    this.fail(new Error('the connection closed'));
    this.closed = true;
    this.resolveClosed();
    this.options.onClose?.();
  }
}
