// Bounds the WebSocket sessions of one gateway process (GATEWAY_MAX_SESSIONS). The server calls
// tryAcquire() before accepting an upgrade and refuses with HTTP 503 (refuseUpgrade) when full,
// so the load balancer and clients retry elsewhere; release() when the connection closes.
import type { Duplex } from 'node:stream';

export class SessionCap {
  #inUse = 0;

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 0) throw new RangeError('session capacity must be a non-negative integer');
  }

  get inUse(): number {
    return this.#inUse;
  }

  get available(): number {
    return this.capacity - this.#inUse;
  }

  tryAcquire(): boolean {
    if (this.#inUse >= this.capacity) return false;
    this.#inUse += 1;
    return true;
  }

  /** Frees one slot; an extra release (a double close) is ignored rather than growing the cap. */
  release(): void {
    if (this.#inUse > 0) this.#inUse -= 1;
  }
}

/** Answers an upgrade request with 503 on its raw socket (before any WebSocket handshake) and closes it. */
export function refuseUpgrade(socket: Duplex, retryAfterSeconds = 5): void {
  const body = JSON.stringify({ message: '503: Service Unavailable', code: 0 });
  socket.end(
    'HTTP/1.1 503 Service Unavailable\r\n' +
      'Content-Type: application/json\r\n' +
      `Content-Length: ${Buffer.byteLength(body)}\r\n` +
      `Retry-After: ${retryAfterSeconds}\r\n` +
      'Connection: close\r\n\r\n' +
      body,
  );
}
