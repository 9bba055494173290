// A small pool of persistent HTTP/2 sessions to one origin, shared by the FCM and APNs clients:
// streams go to the least-loaded live session with room (a session is opened only when all are full
// and the pool may still grow), each session carries at most `maxStreamsPerSession` streams (and
// never more than the server's SETTINGS_MAX_CONCURRENT_STREAMS), callers beyond that wait in a
// bounded FIFO queue, and a session that receives GOAWAY, errors or closes is retired at once so
// the next request opens a fresh one (its in-flight streams finish or fail on their own).
// The connections are our own lean HTTP/2 client (./h2/connection.ts), not node:http2: see there why.
import type { ConnectionOptions } from 'node:tls';
import { onAbort } from '@switchboard/runtime';
import { H2Connection } from './h2/connection';
import type { H2Response, H2Stream, H2StreamError } from './h2/connection';
import type { HeaderList } from './h2/hpack';

export interface Http2PoolOptions {
  /** `https://host` negotiates h2 by ALPN; `http://host:port` speaks h2c (the local fakes). */
  origin: string;
  /** Connections to the origin (default 2). */
  maxSessions?: number;
  /** Concurrent streams per connection (default 100; capped by the server's setting). */
  maxStreamsPerSession?: number;
  /** From sending the request to the end of the response (default 10 s). */
  requestTimeoutMs?: number;
  /** Callers waiting for a stream slot beyond this are refused at once (default 10,000). */
  maxWaiting?: number;
  /** A longer response body is an error (default 64 KiB; provider answers are tiny). */
  maxResponseBytes?: number;
  /** TLS settings for https origins (CA, client certificates, ...). */
  connectOptions?: ConnectionOptions;
}

export interface Http2Request {
  method?: string;
  path: string;
  /** Lowercase names (HTTP/2 requires it). */
  headers?: Record<string, string>;
  body?: string | Buffer;
  signal?: AbortSignal;
}

export interface Http2Response {
  status: number;
  headers: Record<string, string | undefined>;
  body: string;
}

/** invalid: the request itself cannot be sent (a header value HTTP/2 forbids); the others: no response came. */
export type Http2FailureKind = 'timeout' | 'aborted' | 'saturated' | 'closed' | 'network' | 'invalid';

/** The exchange did not produce a response; the providers retry every kind but 'invalid'. */
export class Http2RequestError extends Error {
  constructor(
    message: string,
    readonly kind: Http2FailureKind,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'Http2RequestError';
  }
}

export interface Http2PoolStats {
  /** Live sessions now. */
  sessions: number;
  /** Sessions opened since the pool was created (reconnects included). */
  sessionsOpened: number;
  activeStreams: number;
  waiting: number;
}

interface PooledSession {
  readonly session: H2Connection;
  active: number;
  usable: boolean;
}

interface Waiter {
  resolve(slot: PooledSession): void;
  reject(error: Error): void;
}

const CLOSE_GRACE_MS = 2_000;

export class Http2SessionPool {
  private readonly origin: string;
  private readonly maxSessions: number;
  private readonly maxStreams: number;
  private readonly timeoutMs: number;
  private readonly maxWaiting: number;
  private readonly maxResponseBytes: number;
  private readonly sessions: PooledSession[] = [];
  private readonly waiters: Waiter[] = [];
  private sessionsOpened = 0;
  private closed = false;

  constructor(private readonly options: Http2PoolOptions) {
    const url = new URL(options.origin);
    if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new Error(`origin must be http(s)://, got ${options.origin}`);
    this.origin = url.origin;
    this.maxSessions = positiveInt(options.maxSessions ?? 2, 'maxSessions');
    this.maxStreams = positiveInt(options.maxStreamsPerSession ?? 100, 'maxStreamsPerSession');
    this.timeoutMs = positiveInt(options.requestTimeoutMs ?? 10_000, 'requestTimeoutMs');
    this.maxWaiting = Math.max(0, options.maxWaiting ?? 10_000);
    this.maxResponseBytes = positiveInt(options.maxResponseBytes ?? 64 * 1024, 'maxResponseBytes');
  }

  stats(): Http2PoolStats {
    return {
      sessions: this.sessions.length,
      sessionsOpened: this.sessionsOpened,
      activeStreams: this.sessions.reduce((sum, s) => sum + s.active, 0),
      waiting: this.waiters.length,
    };
  }

  /**
   * One request/response exchange; rejects with Http2RequestError when no response arrives.
   * A free slot is taken at once (no promise for it on the hot path); the exchange frees it.
   */
  request(request: Http2Request): Promise<Http2Response> {
    let headers: HeaderList;
    try {
      headers = headerList(request.headers);
    } catch (error) {
      return Promise.reject(error);
    }
    const slot = this.tryAcquire(request.signal);
    if (slot) return this.exchange(slot, request, headers);
    return this.acquire(request.signal).then((waited) => this.exchange(waited, request, headers));
  }

  /** A slot now if one is free and nobody waits for one (the request may go), else undefined. */
  private tryAcquire(signal: AbortSignal | undefined): PooledSession | undefined {
    if (this.closed || signal?.aborted || this.waiters.length > 0) return undefined;
    const slot = this.pick();
    if (slot) slot.active += 1;
    return slot;
  }

  /** The exchange on `slot` ended: its stream slot goes to the next waiter. */
  private free(slot: PooledSession): void {
    slot.active -= 1;
    this.dispatch();
  }

  /** Stops accepting requests, lets in-flight streams finish (briefly), then closes every session. */
  async close(): Promise<void> {
    this.closed = true;
    for (const waiter of this.waiters.splice(0)) waiter.reject(new Http2RequestError('pool closed', 'closed'));
    const sessions = this.sessions.splice(0);
    await Promise.all(sessions.map((s) => closeSession(s.session)));
  }

  private acquire(signal: AbortSignal | undefined): Promise<PooledSession> {
    if (this.closed) return Promise.reject(new Http2RequestError('pool closed', 'closed'));
    if (signal?.aborted) return Promise.reject(new Http2RequestError('aborted', 'aborted'));
    const slot = this.waiters.length === 0 ? this.pick() : undefined;
    if (slot) {
      slot.active += 1;
      return Promise.resolve(slot);
    }
    if (this.waiters.length >= this.maxWaiting) {
      return Promise.reject(new Http2RequestError(`${this.waiters.length} requests already waiting for ${this.origin}`, 'saturated'));
    }
    return new Promise<PooledSession>((resolve, reject) => {
      const waiter: Waiter = {
        resolve: (s) => {
          dispose?.();
          resolve(s);
        },
        reject: (e) => {
          dispose?.();
          reject(e);
        },
      };
      // Callers' signals may be shared by many requests at once: onAbort keeps this O(1).
      const dispose = signal
        ? onAbort(signal, () => {
            const index = this.waiters.indexOf(waiter);
            if (index >= 0) this.waiters.splice(index, 1);
            reject(new Http2RequestError('aborted', 'aborted'));
          })
        : undefined;
      this.waiters.push(waiter);
    });
  }

  /** Hands free slots to waiters in arrival order. */
  private dispatch(): void {
    while (this.waiters.length > 0 && !this.closed) {
      const slot = this.pick();
      if (!slot) return;
      slot.active += 1;
      this.waiters.shift()!.resolve(slot);
    }
  }

  private pick(): PooledSession | undefined {
    let best: PooledSession | undefined;
    for (const s of this.sessions) {
      if (s.usable && s.active < this.capacity(s) && (!best || s.active < best.active)) best = s;
    }
    if (best) return best;
    return this.sessions.length < this.maxSessions ? this.open() : undefined;
  }

  private capacity(slot: PooledSession): number {
    const remote = slot.session.maxConcurrentStreams;
    return remote > 0 ? Math.min(this.maxStreams, remote) : this.maxStreams;
  }

  private open(): PooledSession {
    // The connection needs its slot for its callbacks, the slot its connection.
    const slot = { active: 0, usable: true } as { session: H2Connection; active: number; usable: boolean };
    slot.session = new H2Connection({
      origin: this.origin,
      ...(this.options.connectOptions ? { connectOptions: this.options.connectOptions } : {}),
      maxResponseBytes: this.maxResponseBytes,
      // A larger server limit arrives with its SETTINGS: let waiters use it.
      onSettings: () => this.dispatch(),
      // GOAWAY, an error, the socket closed: no new streams go there.
      onUnusable: () => this.retire(slot),
      onClose: () => this.retire(slot),
    });
    this.sessionsOpened += 1;
    this.sessions.push(slot);
    return slot;
  }

  private retire(slot: PooledSession): void {
    if (!slot.usable) return;
    slot.usable = false;
    const index = this.sessions.indexOf(slot);
    if (index >= 0) this.sessions.splice(index, 1);
    slot.session.close();
    // Waiters may now get a fresh session.
    this.dispatch();
  }

  private exchange(slot: PooledSession, request: Http2Request, headers: HeaderList): Promise<Http2Response> {
    return new Promise<Http2Response>((resolve, reject) => {
      let settled = false;
      // Both stay undefined if the connection answers at once (it takes no new streams).
      let stream: H2Stream | undefined;
      let timer: NodeJS.Timeout | undefined;
      const finish = (error: Error | undefined, response?: H2Response): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        disposeAbort?.();
        if (error) {
          stream?.cancel();
          reject(error);
        } else {
          resolve({ status: response!.status, headers: response!.headers, body: response!.body.toString('utf8') });
        }
        this.free(slot);
      };
      const answered = (error: H2StreamError | undefined, response: H2Response | undefined): void => {
        if (error) finish(new Http2RequestError(`stream to ${this.origin}: ${error.message}`, error.kind === 'closed' ? 'closed' : 'network', { cause: error }));
        else finish(undefined, response);
      };
      const body = request.body === undefined ? undefined : typeof request.body === 'string' ? Buffer.from(request.body, 'utf8') : request.body;
      stream = slot.session.request(request.method ?? 'POST', request.path, headers, body, answered);
      if (settled) return;
      timer = setTimeout(
        () => finish(new Http2RequestError(`no response from ${this.origin} within ${this.timeoutMs} ms`, 'timeout')),
        this.timeoutMs,
      );
      const aborted = (): void => finish(new Http2RequestError('aborted', 'aborted'));
      let disposeAbort: (() => void) | undefined;
      if (request.signal?.aborted) return aborted();
      if (request.signal) disposeAbort = onAbort(request.signal, aborted);
    });
  }
}

const FORBIDDEN_IN_VALUES = /[\0\r\n]/;
const ASCII = /^[\x20-\x7e\t]*$/;

/**
 * The request's headers as HPACK takes them (one character per octet): lowercase names, values
 * other than ASCII as their UTF-8 octets. NUL, CR and LF are refused (RFC 9113 §8.2.1): such a
 * request would only ever be reset by the provider.
 */
function headerList(headers: Record<string, string> | undefined): HeaderList {
  const list: HeaderList = [];
  if (!headers) return list;
  for (const name in headers) {
    const value = headers[name]!;
    if (ASCII.test(value)) {
      list.push([name.toLowerCase(), value]);
      continue;
    }
    if (FORBIDDEN_IN_VALUES.test(value)) throw new Http2RequestError(`header ${name} holds NUL, CR or LF, which HTTP/2 forbids`, 'invalid');
    list.push([name.toLowerCase(), Buffer.from(value, 'utf8').toString('latin1')]);
  }
  return list;
}

function closeSession(session: H2Connection): Promise<void> {
  const closed = session.whenClosed();
  const timer = setTimeout(() => session.destroy(), CLOSE_GRACE_MS);
  session.close();
  return closed.finally(() => clearTimeout(timer));
}

function positiveInt(value: number, name: string): number {
  if (!Number.isInteger(value) || value <= 0) throw new Error(`${name} must be a positive integer, got ${value}`);
  return value;
}

/** How a provider gets its connections: a pool shared with other apps, or one of its own. */
export interface PoolChoice {
  baseUrl?: string | undefined;
  pool?: Http2SessionPool | undefined;
  maxSessions?: number | undefined;
  maxStreamsPerSession?: number | undefined;
  requestTimeoutMs?: number | undefined;
  connectOptions?: ConnectionOptions | undefined;
}

/** The shared pool when given, else a new one to `baseUrl` (or `defaultOrigin`); `owned`: the provider closes it. */
export function poolFor(choice: PoolChoice, defaultOrigin: string): { pool: Http2SessionPool; owned: boolean } {
  if (choice.pool) return { pool: choice.pool, owned: false };
  const pool = new Http2SessionPool({
    origin: choice.baseUrl ?? defaultOrigin,
    maxSessions: choice.maxSessions,
    maxStreamsPerSession: choice.maxStreamsPerSession,
    requestTimeoutMs: choice.requestTimeoutMs,
    connectOptions: choice.connectOptions,
  });
  return { pool, owned: true };
}
