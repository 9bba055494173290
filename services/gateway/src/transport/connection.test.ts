import { EventEmitter } from 'node:events';
import * as ws from 'ws';
import type { WebSocket } from 'ws';
import { jsonEncoding } from '../codec';
import { ZlibStreamInflater } from '../codec/client';
import { Connection } from './connection';
import { FlushScheduler } from './flush-scheduler';

/**
 * Just enough of a ws WebSocket to watch what the connection writes: its raw socket's writes are
 * parsed back into messages by ws's own Receiver, as a client would.
 */
class FakeSocket extends EventEmitter {
  readonly OPEN = 1;
  readyState = 1;
  bufferedAmount = 0;
  readonly sent: { data: Buffer; binary: boolean }[] = [];
  /** Each write() the connection made on the raw socket. */
  readonly writes: Buffer[] = [];
  readonly #receiver = new (ws as unknown as { Receiver: new (options: object) => NodeJS.WritableStream & EventEmitter }).Receiver({ isServer: false });
  readonly _socket = {
    destroyed: false,
    write: (data: Buffer) => {
      this.writes.push(data);
      this.#receiver.write(data);
      return true;
    },
  };
  closedWith: number | undefined;
  constructor() {
    super();
    this.#receiver.on('message', (data: Buffer, binary: boolean) => this.sent.push({ data: Buffer.from(data), binary }));
  }
  close(code: number): void {
    this.closedWith = code;
  }
}

function connection(socket: FakeSocket, maxQueuedBytes = 1 << 20) {
  const scheduler = new FlushScheduler();
  const mark = jest.spyOn(scheduler, 'mark');
  const conn = new Connection(socket as unknown as WebSocket, { encoding: jsonEncoding, compression: undefined, maxQueuedBytes, scheduler });
  return { conn, scheduler, mark };
}

describe('gateway connection – coalescing', () => {
  it('writes every frame queued in one turn in one socket write, each as its own message, in order', async () => {
    const socket = new FakeSocket();
    const { conn, mark } = connection(socket);
    const dispatch = jsonEncoding.encodeDispatch('MESSAGE_CREATE', { id: '1' });
    for (let seq = 1; seq <= 10; seq += 1) conn.sendDispatch(dispatch, seq);
    expect(mark).toHaveBeenCalledTimes(1);
    expect(socket.sent).toHaveLength(0);
    await new Promise((resolve) => setImmediate(resolve));
    expect(socket.writes).toHaveLength(1);
    expect(socket.sent.map((m) => JSON.parse(m.data.toString()).s)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    conn.sendPayload({ op: 11 });
    expect(mark).toHaveBeenCalledTimes(2);
  });

  it('flushes queued frames before a close frame', () => {
    const socket = new FakeSocket();
    const { conn } = connection(socket);
    conn.sendPayload({ op: 9, d: false });
    conn.close(4000, 'bye');
    expect(socket.sent).toHaveLength(1);
    expect(socket.closedWith).toBe(4000);
  });

  it('closes with 4000 once queued plus unsent bytes pass the bound, and drops the queue', () => {
    const socket = new FakeSocket();
    const { conn } = connection(socket, 10_000);
    const big = jsonEncoding.encodeDispatch('MESSAGE_CREATE', { content: 'x'.repeat(3000) });
    conn.sendDispatch(big, 1);
    conn.sendDispatch(big, 2);
    expect(socket.closedWith).toBeUndefined();
    socket.bufferedAmount = 5_000; // the kernel is not taking more either
    conn.sendDispatch(big, 3);
    expect(socket.closedWith).toBe(4000);
    expect(conn.queuedBytes).toBe(0);
  });
});

describe('gateway connection – compression memory', () => {
  it('frees the zlib-stream context after a quiet flush, and the client still inflates what follows', async () => {
    const socket = new FakeSocket();
    const scheduler = new FlushScheduler();
    const conn = new Connection(socket as unknown as WebSocket, { encoding: jsonEncoding, compression: 'zlib-stream', maxQueuedBytes: 1 << 20, scheduler });
    const inflater = new ZlibStreamInflater();
    const read = () => socket.sent.splice(0).map((m) => JSON.parse(inflater.push(m.data)!.toString()));
    conn.sendDispatch(jsonEncoding.encodeDispatch('READY', { v: 10 }), 1);
    scheduler.flushAll();
    expect(read()).toEqual([{ t: 'READY', op: 0, d: { v: 10 }, s: 1 }]);
    conn.sendPayload({ op: 11 });
    scheduler.flushAll();
    expect(read()).toMatchObject([{ op: 11 }]);
    expect(conn.compressionAllocated).toBe(false);
    conn.sendDispatch(jsonEncoding.encodeDispatch('MESSAGE_CREATE', { id: '1' }), 2);
    scheduler.flushAll();
    expect(read()).toEqual([{ t: 'MESSAGE_CREATE', op: 0, d: { id: '1' }, s: 2 }]);
  });
});
