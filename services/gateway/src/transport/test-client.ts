// A minimal gateway client over real sockets for tests: decodes frames as Discord clients do
// (GatewayFrameReader), queues them, and lets a test await the next frame that matches.
import { WebSocket } from 'ws';
import type { GatewayPayload } from '../codec';
import { GatewayFrameReader } from '../codec/client';
import { packTerm } from '../codec/etf-encoding';
import type { EncodingName, TransportCompressionName } from '../codec';

export interface TestClientOptions {
  encoding?: EncodingName;
  compression?: TransportCompressionName;
  query?: string;
}

export class TestGatewayClient {
  readonly ws: WebSocket;
  readonly received: GatewayPayload[] = [];
  readonly closed: Promise<{ code: number; reason: string }>;
  readonly #encoding: EncodingName;
  #waiters: (() => void)[] = [];

  private constructor(url: string, options: TestClientOptions) {
    this.#encoding = options.encoding ?? 'json';
    const reader = new GatewayFrameReader({ encoding: options.encoding ?? 'json', compression: options.compression });
    this.ws = new WebSocket(url);
    this.ws.on('message', (data: Buffer, isBinary: boolean) => {
      const payload = reader.read(data, isBinary);
      if (payload) this.received.push(payload);
      for (const wake of this.#waiters.splice(0)) wake();
    });
    this.closed = new Promise((resolve) => {
      this.ws.on('close', (code, reason) => {
        reader.close();
        resolve({ code, reason: reason.toString() });
        for (const wake of this.#waiters.splice(0)) wake();
      });
    });
    this.ws.on('error', () => undefined);
  }

  static async connect(port: number, options: TestClientOptions = {}): Promise<TestGatewayClient> {
    const params = options.query ?? `v=10&encoding=${options.encoding ?? 'json'}${options.compression ? `&compress=${options.compression}` : ''}`;
    const client = new TestGatewayClient(`ws://127.0.0.1:${port}/?${params}`, options);
    await new Promise<void>((resolve, reject) => {
      client.ws.once('open', () => resolve());
      client.ws.once('error', reject);
    });
    return client;
  }

  /** Sends a command in the connection's encoding (ETF clients send binary frames). */
  send(payload: unknown): void {
    if (this.#encoding === 'etf') this.ws.send(packTerm(payload), { binary: true });
    else this.ws.send(JSON.stringify(payload));
  }

  /** Resolves with the first not-yet-consumed frame matching `match` (frames before it are consumed). */
  async next(match: (payload: GatewayPayload) => boolean = () => true, timeoutMs = 5000): Promise<GatewayPayload> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const index = this.received.findIndex(match);
      if (index >= 0) return this.received.splice(0, index + 1).at(-1)!;
      if (this.ws.readyState === WebSocket.CLOSED) throw new Error('socket closed while waiting for a frame');
      if (Date.now() > deadline) throw new Error(`no matching frame within ${timeoutMs} ms; got ${JSON.stringify(this.received.map((p) => [p.op, p.t]))}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 50);
        this.#waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  dispatch(t: string, timeoutMs?: number): Promise<GatewayPayload> {
    return this.next((payload) => payload.op === 0 && payload.t === t, timeoutMs);
  }
}
