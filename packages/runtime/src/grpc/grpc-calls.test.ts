import { create } from '@bufbuild/protobuf';
import { timestampFromMs } from '@bufbuild/protobuf/wkt';
import { commonV1, gatewayV1, guildV1, presenceV1, pushV1 } from '@switchboard/proto';
import { implement, implementPartially } from './add-service';
import { closeClient, createClient } from './client';
import { CancelledError } from './errors';
import { EchoService, echoImpl, startServer } from './__tests__/echo-fixture';
import type { RunningServer } from './__tests__/echo-fixture';

const describeServices = [
  ['gateway', gatewayV1.GatewayService],
  ['guild', guildV1.GuildService],
  ['presence', presenceV1.PresenceService],
  ['push', pushV1.PushService],
] as const;

function instanceOf(service: string): commonV1.InstanceInfo {
  return create(commonV1.InstanceInfoSchema, {
    service,
    instanceId: `${service}-0`,
    version: '0.1.0',
    startedAt: timestampFromMs(1_700_000_000_000),
    mode: commonV1.InstanceMode.EMBEDDED,
  });
}

describe('grpc – typed server and client over a real connection', () => {
  let running: RunningServer;

  beforeAll(async () => {
    running = await startServer([
      implement(EchoService, echoImpl),
      implement(gatewayV1.GatewayService, {
        describe: async () => ({ instance: instanceOf('gateway') }),
        // Not under test here (the gateway's own tests cover them); every RPC needs a handler.
        mintToken: () => ({}),
        revokeTokens: () => ({}),
        grantPrivilegedIntents: () => ({}),
      }),
      implementPartially(guildV1.GuildService, { describe: async () => ({ instance: instanceOf('guild') }) }),
      implementPartially(presenceV1.PresenceService, { describe: () => ({ instance: instanceOf('presence') }) }),
      implementPartially(pushV1.PushService, { describe: async () => ({ instance: instanceOf('push') }) }),
    ]);
  });
  afterAll(() => running.stop());

  it.each(describeServices)('Describe round-trips the %s InstanceInfo with its timestamp and mode', async (name, service) => {
    const client = createClient(service, running.address);
    const response = await client.describe({});
    expect(response.instance?.service).toBe(name);
    expect(response.instance?.instanceId).toBe(`${name}-0`);
    expect(response.instance?.startedAt?.seconds).toBe(1_700_000_000n);
    expect(response.instance?.mode).toBe(commonV1.InstanceMode.EMBEDDED);
    closeClient(client);
  });

  it('server streaming yields every response in order', async () => {
    const client = createClient(EchoService, running.address);
    const received: Array<[string, number]> = [];
    for await (const response of client.echoServerStream({ text: 'hi', repeat: 5 })) {
      received.push([response.text, response.index]);
    }
    expect(received).toEqual([0, 1, 2, 3, 4].map((index) => ['hi', index]));
    closeClient(client);
  });

  it('client streaming sends every request and gets one answer', async () => {
    const client = createClient(EchoService, running.address);
    async function* texts() {
      yield { text: 'a' };
      yield { text: 'b' };
      yield { text: 'c' };
    }
    const response = await client.echoClientStream(texts());
    expect(response).toMatchObject({ text: 'a b c', count: 3 });
    closeClient(client);
  });

  it('bidi streaming answers each message as it arrives', async () => {
    const client = createClient(EchoService, running.address);
    async function* texts() {
      yield { text: 'one' };
      yield { text: 'two' };
    }
    const answers: string[] = [];
    for await (const response of client.echoBidiStream(texts())) answers.push(response.text);
    expect(answers).toEqual(['ONE', 'TWO']);
    closeClient(client);
  });

  it('a consumer that stops reading a long stream cancels it without errors', async () => {
    const client = createClient(EchoService, running.address);
    const received: number[] = [];
    for await (const response of client.echoServerStream({ text: 'x', repeat: 100_000 })) {
      received.push(response.index);
      if (received.length === 3) break;
    }
    expect(received).toEqual([0, 1, 2]);
    // The channel still works afterwards.
    await expect(client.echo({ text: 'after' })).resolves.toMatchObject({ text: 'after' });
    closeClient(client);
  });

  it('an aborted signal cancels a unary call as CancelledError', async () => {
    const client = createClient(EchoService, running.address);
    const abort = new AbortController();
    abort.abort();
    await expect(client.echo({ text: 'never' }, { signal: abort.signal })).rejects.toBeInstanceOf(CancelledError);
    closeClient(client);
  });
});
