import { implement } from './add-service';
import { closeClient, createClient } from './client';
import { ResourceExhaustedError, UnavailableError } from './errors';
import type { RetryPolicy } from './retry-policy';
import { EchoService, echoImpl, startServer } from './__tests__/echo-fixture';
import type { RunningServer } from './__tests__/echo-fixture';

const fastPolicy: RetryPolicy = { maxAttempts: 4, initialBackoffMs: 5, maxBackoffMs: 20, backoffMultiplier: 2, jitter: 0.2 };

/** An Echo that fails its first `failures` calls with the error `fail` makes. */
function flakyEcho(failures: number, fail: () => Error): { attempts: () => number; registration: ReturnType<typeof implement> } {
  let calls = 0;
  const registration = implement(EchoService, {
    ...echoImpl,
    echo: async (request) => {
      calls += 1;
      if (calls <= failures) throw fail();
      return { text: request.text };
    },
  });
  return { attempts: () => calls, registration };
}

describe('grpc – retries over a real connection', () => {
  let running: RunningServer | undefined;
  afterEach(() => running?.stop());

  it('retries UNAVAILABLE for an idempotent call until it succeeds', async () => {
    const flaky = flakyEcho(2, () => new UnavailableError('draining'));
    running = await startServer([flaky.registration]);
    const client = createClient(EchoService, running.address, { retryPolicy: fastPolicy });
    // Echo is marked idempotency_level = IDEMPOTENT in the proto.
    await expect(client.echo({ text: 'hello' })).resolves.toMatchObject({ text: 'hello' });
    expect(flaky.attempts()).toBe(3);
    closeClient(client);
  });

  it('does not retry a call the caller marks non-idempotent', async () => {
    const flaky = flakyEcho(2, () => new UnavailableError('draining'));
    running = await startServer([flaky.registration]);
    const client = createClient(EchoService, running.address, { retryPolicy: fastPolicy });
    await expect(client.echo({ text: 'hello' }, { idempotent: false })).rejects.toBeInstanceOf(UnavailableError);
    expect(flaky.attempts()).toBe(1);
    closeClient(client);
  });

  it('gives up after maxAttempts and surfaces the last error', async () => {
    const flaky = flakyEcho(10, () => new UnavailableError('down'));
    running = await startServer([flaky.registration]);
    const client = createClient(EchoService, running.address, { retryPolicy: fastPolicy });
    await expect(client.echo({ text: 'x' })).rejects.toBeInstanceOf(UnavailableError);
    expect(flaky.attempts()).toBe(4);
    closeClient(client);
  });

  it('retries RESOURCE_EXHAUSTED only when the server sent retryAfterMs', async () => {
    const bare = flakyEcho(1, () => new ResourceExhaustedError('quota'));
    running = await startServer([bare.registration]);
    const client = createClient(EchoService, running.address, { retryPolicy: fastPolicy });
    await expect(client.echo({ text: 'x' })).rejects.toBeInstanceOf(ResourceExhaustedError);
    expect(bare.attempts()).toBe(1);
    closeClient(client);
    running.stop();

    const told = flakyEcho(1, () => new ResourceExhaustedError('busy', { retryAfterMs: 30 }));
    running = await startServer([told.registration]);
    const retrying = createClient(EchoService, running.address, { retryPolicy: fastPolicy });
    const started = Date.now();
    await expect(retrying.echo({ text: 'y' })).resolves.toMatchObject({ text: 'y' });
    expect(told.attempts()).toBe(2);
    expect(Date.now() - started).toBeGreaterThanOrEqual(25);
    closeClient(retrying);
  });

  it('an idempotent call rides out a server that comes up late', async () => {
    const reserved = await startServer();
    const port = Number(reserved.address.split(':')[1]);
    reserved.stop();
    const client = createClient(EchoService, reserved.address, {
      retryPolicy: { maxAttempts: 8, initialBackoffMs: 50, maxBackoffMs: 200, backoffMultiplier: 2, jitter: 0.2 },
      // Reconnect quickly, so the retries (not grpc-js's 1 s reconnect backoff) are what is tested.
      channelOptions: { 'grpc.initial_reconnect_backoff_ms': 20, 'grpc.max_reconnect_backoff_ms': 50 },
    });
    const answer = client.echo({ text: 'late' }, { timeoutMs: 5_000 });
    await new Promise((resolve) => setTimeout(resolve, 150));
    running = await startServer(undefined, undefined, port);
    await expect(answer).resolves.toMatchObject({ text: 'late' });
    closeClient(client);
  });
});
