import { status } from '@grpc/grpc-js';
import { implement } from './add-service';
import { closeClient, createClient } from './client';
import { GrpcStatusError, InvalidArgumentError, NotFoundError } from './errors';
import { FIELD_METADATA_KEY, INTERNAL_ERROR_MESSAGE } from './status-mapping';
import { EchoService, echoImpl, memoryLogger, startServer } from './__tests__/echo-fixture';
import type { RunningServer } from './__tests__/echo-fixture';

const logger = memoryLogger();
const secret = 'password authentication failed for user "switchboard"';

/** Echo whose handlers fail according to the text they receive. */
const failingEcho = implement(EchoService, {
  ...echoImpl,
  echo: async (request) => {
    if (request.text === '') throw new InvalidArgumentError('text', 'must not be empty');
    if (request.text === 'missing') throw new NotFoundError('no such echo');
    if (request.text === 'bug') throw new Error(secret);
    return { text: request.text };
  },
  async *echoServerStream(request) {
    yield { text: request.text, index: 0 };
    throw new InvalidArgumentError('repeat', 'too many');
  },
});

describe('grpc – errors thrown by handlers reach the client as error classes', () => {
  let running: RunningServer;
  let client: ReturnType<typeof createClient<typeof EchoService>>;

  beforeAll(async () => {
    running = await startServer([failingEcho], logger);
    client = createClient(EchoService, running.address);
  });
  afterAll(() => {
    closeClient(client);
    running.stop();
  });

  it('INVALID_ARGUMENT arrives as InvalidArgumentError naming the field', async () => {
    const error = await client.echo({ text: '' }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(InvalidArgumentError);
    expect(error).toMatchObject({ code: status.INVALID_ARGUMENT, field: 'text', description: 'must not be empty' });
    expect((error as InvalidArgumentError).message).toBe('text: must not be empty');
    expect((error as InvalidArgumentError).metadata?.get(FIELD_METADATA_KEY)).toEqual(['text']);
  });

  it('NOT_FOUND arrives as NotFoundError', async () => {
    await expect(client.echo({ text: 'missing' })).rejects.toBeInstanceOf(NotFoundError);
  });

  it('an unexpected error becomes INTERNAL without leaking its message, and is logged', async () => {
    const error = await client.echo({ text: 'bug' }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(GrpcStatusError);
    expect((error as GrpcStatusError).code).toBe(status.INTERNAL);
    expect((error as GrpcStatusError).message).toBe(INTERNAL_ERROR_MESSAGE);
    expect(JSON.stringify(error)).not.toContain('password');
    const logged = logger.errors.find((entry) => entry['rpc'] === '/switchboard.testing.v1.EchoService/Echo');
    expect((logged?.['err'] as Error).message).toBe(secret);
  });

  it('an error in a response stream ends the stream with its status after the sent messages', async () => {
    const received: string[] = [];
    const failure = await (async () => {
      for await (const response of client.echoServerStream({ text: 'first', repeat: 1 })) received.push(response.text);
    })().catch((caught: unknown) => caught);
    expect(received).toEqual(['first']);
    expect(failure).toBeInstanceOf(InvalidArgumentError);
    expect(failure).toMatchObject({ field: 'repeat' });
  });
});
