import { EventEmitter, once } from 'node:events';
import { implement } from './add-service';
import { closeClient, createClient } from './client';
import { CancelledError, DeadlineExceededError } from './errors';
import { shutdownGracefully } from './server';
import { callSignal } from './server-handlers';
import { EchoService, echoImpl, startServer } from './__tests__/echo-fixture';
import type { RunningServer } from './__tests__/echo-fixture';

/** A bidi handler that holds its stream open until the caller goes away, then says so. */
function holdingEcho(onReleased: (signal: AbortSignal) => void): ReturnType<typeof implement> {
  return implement(EchoService, {
    ...echoImpl,
    async *echoBidiStream(requests, context) {
      try {
        for await (const request of requests) yield { text: request.text };
      } finally {
        onReleased(context.signal);
      }
    },
  });
}

/** Requests that send one message and then stay open until `stop` resolves. */
async function* oneThenWait(stop: Promise<void>): AsyncGenerator<{ text: string }> {
  yield { text: 'open' };
  await stop;
}

describe('grpc – cancellation and shutdown', () => {
  let running: RunningServer | undefined;
  afterEach(() => running?.stop());

  it('a client abort releases the server handler of a long-lived stream with its signal aborted', async () => {
    let released: (signal: AbortSignal) => void = () => undefined;
    const handlerReleased = new Promise<AbortSignal>((resolve) => (released = resolve));
    running = await startServer([holdingEcho(released)]);
    const client = createClient(EchoService, running.address);
    const abort = new AbortController();
    let stop: () => void = () => undefined;
    const responses = client.echoBidiStream(oneThenWait(new Promise<void>((resolve) => (stop = resolve))), { signal: abort.signal });

    const iterator = responses[Symbol.asyncIterator]();
    await expect(iterator.next()).resolves.toMatchObject({ value: { text: 'open' } });
    abort.abort();
    await expect(iterator.next()).rejects.toBeInstanceOf(CancelledError);
    // grpc-js may end the request stream (as a half-close) a moment before it reports the
    // cancellation, so the handler is released first and its signal aborts right after.
    const signal = await handlerReleased;
    if (!signal.aborted) await once(signal, 'abort');
    expect(signal.aborted).toBe(true);
    stop();
    closeClient(client);
  });

  it('a passed deadline fails the call and releases the handler through its signal', async () => {
    let reason: unknown;
    running = await startServer([
      implement(EchoService, {
        ...echoImpl,
        echo: async (_request, context) => {
          if (!context.signal.aborted) await once(context.signal, 'abort');
          reason = context.signal.reason;
          return { text: 'too late' };
        },
      }),
    ]);
    const client = createClient(EchoService, running.address);
    await expect(client.echo({ text: 'x' }, { timeoutMs: 100, idempotent: false })).rejects.toBeInstanceOf(DeadlineExceededError);
    await new Promise((resolve) => setTimeout(resolve, 50));
    // The client gives up at its deadline and cancels; whichever side notices first wins.
    expect([CancelledError, DeadlineExceededError].some((type) => reason instanceof type)).toBe(true);
    closeClient(client);
  });

  it('the handler signal aborts with DeadlineExceededError at the deadline even if the caller stays', () => {
    jest.useFakeTimers({ now: 1_000_000 });
    const call = Object.assign(new EventEmitter(), { getDeadline: () => 1_000_500 });
    const { signal, dispose } = callSignal(call as unknown as Parameters<typeof callSignal>[0], new Date(1_000_500));
    jest.advanceTimersByTime(499);
    expect(signal.aborted).toBe(false);
    jest.advanceTimersByTime(1);
    expect(signal.reason).toBeInstanceOf(DeadlineExceededError);
    dispose();
    jest.useRealTimers();
  });

  it('the handler signal aborts with CancelledError when the caller cancels, and ignores far deadlines', () => {
    const call = new EventEmitter();
    const { signal, dispose } = callSignal(call as unknown as Parameters<typeof callSignal>[0], new Date(Date.now() + 30 * 86_400_000));
    expect(signal.aborted).toBe(false);
    call.emit('cancelled');
    expect(signal.reason).toBeInstanceOf(CancelledError);
    dispose();
  });

  it('shutdownGracefully finishes at once when idle', async () => {
    running = await startServer();
    await expect(shutdownGracefully(running.server, 1_000)).resolves.toBe('graceful');
  });

  it('shutdownGracefully forces long-lived streams closed after the deadline', async () => {
    running = await startServer([holdingEcho(() => undefined)]);
    const client = createClient(EchoService, running.address);
    let stop: () => void = () => undefined;
    const iterator = client.echoBidiStream(oneThenWait(new Promise<void>((resolve) => (stop = resolve))))[Symbol.asyncIterator]();
    await iterator.next();

    const started = Date.now();
    await expect(shutdownGracefully(running.server, 200)).resolves.toBe('forced');
    expect(Date.now() - started).toBeGreaterThanOrEqual(190);
    await expect(iterator.next()).rejects.toBeDefined();
    stop();
    closeClient(client);
  });
});
