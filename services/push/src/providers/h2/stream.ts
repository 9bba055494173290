// One request/response exchange on an H2Connection: what was asked, what has come back, and the
// one callback that learns how it ended.
import { ErrorCode } from './frames';
import type { HeaderList } from './hpack';

export interface H2Response {
  status: number;
  /** Response headers (lowercase names; repeated fields joined with ", "). Pseudo-headers left out. */
  headers: Record<string, string>;
  body: Buffer;
}

/**
 * refused: the peer did not process the stream (REFUSED_STREAM, above a GOAWAY's last id, or the
 * connection was closing): safe to send again. reset: the peer reset it. closed: the connection
 * was lost with the stream open. response: the response itself was unacceptable (too large,
 * malformed status).
 */
export type H2StreamErrorKind = 'refused' | 'reset' | 'closed' | 'response';

export class H2StreamError extends Error {
  constructor(
    message: string,
    readonly kind: H2StreamErrorKind,
    readonly code?: number,
  ) {
    super(message);
    this.name = 'H2StreamError';
  }
}

export type H2ResponseCallback = (error: H2StreamError | undefined, response: H2Response | undefined) => void;

/** What a stream needs of its connection. */
export interface StreamOwner {
  cancelStream(stream: H2Stream, code: number): void;
}

export class H2Stream {
  /** 0 until it is sent. */
  id = 0;
  sendWindow = 0;
  bodyOffset = 0;
  pendingBody: Buffer | undefined;
  private status = 0;
  private responseHeaders: Record<string, string> | undefined;
  private chunks: Buffer[] = [];
  private size = 0;
  private ended = false;

  constructor(
    private readonly owner: StreamOwner,
    readonly method: string,
    readonly path: string,
    readonly headers: HeaderList,
    body: Buffer | undefined,
    private readonly done: H2ResponseCallback,
    private readonly maxResponseBytes: number,
  ) {
    this.pendingBody = body && body.length > 0 ? body : undefined;
  }

  /** Gives up on the exchange (a timeout, an abort): RST_STREAM CANCEL if it was sent; `done` is not called. */
  cancel(): void {
    if (this.ended) return;
    this.ended = true;
    this.owner.cancelStream(this, ErrorCode.CANCEL);
  }

  /** @internal a header block for this stream: the response head, an informational 1xx, or trailers. */
  onHeaders(headers: HeaderList): void {
    if (this.ended) return;
    if (this.status !== 0) return; // trailers: nothing of them is used
    let status = 0;
    const fields: Record<string, string> = {};
    for (const [name, value] of headers) {
      if (name === ':status') status = Number(value);
      else if (name.charCodeAt(0) !== 58 /* ':' */) fields[name] = name in fields ? `${fields[name]}, ${value}` : value;
    }
    if (!Number.isInteger(status) || status < 100 || status > 599) return this.abandon(`a response without a valid :status`);
    if (status < 200) return; // informational: the real head follows
    this.status = status;
    this.responseHeaders = fields;
  }

  /** @internal response body bytes (a view into the connection's read buffer: copied). */
  onData(data: Buffer): void {
    if (this.ended || data.length === 0) return;
    this.size += data.length;
    if (this.size > this.maxResponseBytes) return this.abandon(`response over ${this.maxResponseBytes} bytes`);
    this.chunks.push(Buffer.from(data));
  }

  /** @internal the peer ended the stream. */
  complete(): void {
    if (this.ended) return;
    this.ended = true;
    if (this.status === 0) {
      this.done(new H2StreamError('the stream ended without a response', 'response'), undefined);
      return;
    }
    const body = this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks);
    this.done(undefined, { status: this.status, headers: this.responseHeaders!, body });
  }

  /** @internal the stream failed (reset, refused, connection lost). */
  fail(error: H2StreamError): void {
    if (this.ended) return;
    this.ended = true;
    this.done(error, undefined);
  }

  /** An unacceptable response: reset the stream and report it. */
  private abandon(reason: string): void {
    this.ended = true;
    this.owner.cancelStream(this, ErrorCode.CANCEL);
    this.done(new H2StreamError(reason, 'response'), undefined);
  }
}
