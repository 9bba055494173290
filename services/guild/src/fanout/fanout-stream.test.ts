// The Fanout stream server over a real gRPC connection: hello first, interests applied in order
// and confirmed by sync id, acks recorded, bad input refused by field, and a closed stream's
// interests and ack waits released.
import { guildV1 } from '@switchboard/proto';
import { InvalidArgumentError, Registry } from '@switchboard/runtime';
import { guildScope, userScope } from '../events';
import { FanoutMetrics } from './fanout-metrics';
import { FanoutService } from './fanout-service';
import { FakeGateway, recordingLogger, startFanoutServer, until } from './fanout-test-support';
import type { FanoutServer } from './fanout-test-support';

describe('fanout – stream server', () => {
  let service: FanoutService;
  let server: FanoutServer;
  let metrics: FanoutMetrics;
  const gateways: FakeGateway[] = [];

  function gateway(id = 'gw-1'): FakeGateway {
    const gw = new FakeGateway(server.address, id);
    gateways.push(gw);
    return gw;
  }

  beforeEach(async () => {
    metrics = new FanoutMetrics(new Registry());
    service = new FanoutService({ metrics, logger: recordingLogger().logger });
    server = await startFanoutServer(service.handler);
  });

  afterEach(() => {
    for (const gw of gateways.splice(0)) gw.close();
    server.stop();
  });

  it('applies interest changes in order and answers InterestApplied with the sync id', async () => {
    const gw = gateway();
    gw.hello();
    await gw.interest([[guildScope(10n), 1n], [guildScope(10n), 2n], [userScope(1n), 1n]]);
    await gw.interest([], [[guildScope(10n), 2n]]);
    const [stream] = service.streams();
    expect(stream!.gatewayInstanceId).toBe('gw-1');
    expect(service.table.streamsFor('g:10').get(stream!)).toEqual(new Set([1n]));
    expect(service.table.streamsFor('u:1').get(stream!)).toEqual(new Set([1n]));
    const applied = gw.messages.flatMap((m) => (m.kind.case === 'interestApplied' ? [m.kind.value.syncId] : []));
    expect(applied).toEqual([1n, 2n]);
    expect(await metrics.gatewayStreams.get()).toMatchObject({ values: [{ value: 1 }] });
  });

  it('sends no InterestApplied for a change without a sync id', async () => {
    const gw = gateway();
    gw.hello();
    gw.send({ kind: { case: 'interest', value: { add: [{ scope: guildScope(10n), userId: '1' }] } } });
    await gw.interest([[guildScope(10n), 2n]]);
    expect(gw.messages.filter((m) => m.kind.case === 'interestApplied')).toHaveLength(1);
    expect(service.table.usersWithInterest('g:10')).toEqual(new Set([1n, 2n]));
  });

  it('ends a stream whose first message is not hello with INVALID_ARGUMENT on hello', async () => {
    const gw = gateway();
    gw.send({ kind: { case: 'interest', value: { add: [{ scope: guildScope(10n), userId: '1' }], syncId: 1n } } });
    await until(() => gw.finished, 'the stream to end');
    expect(gw.error).toBeInstanceOf(InvalidArgumentError);
    expect((gw.error as InvalidArgumentError).field).toBe('hello');
    expect(service.table.streamCount).toBe(0);
  });

  it('refuses a malformed id by its field path, applies none of that change, and ends the stream', async () => {
    const gw = gateway();
    gw.hello();
    await gw.interest([[guildScope(10n), 1n]]);
    gw.send({
      kind: {
        case: 'interest',
        value: { add: [{ scope: guildScope(11n), userId: '1' }, { scope: guildScope(11n), userId: 'abc' }], syncId: 9n },
      },
    });
    await until(() => gw.finished, 'the stream to end');
    expect((gw.error as InvalidArgumentError).field).toBe('interest.add[1].user_id');
    expect(gw.messages.some((m) => m.kind.case === 'interestApplied' && m.kind.value.syncId === 9n)).toBe(false);
    // The stream is gone, and with it every interest it held.
    await until(() => service.table.streamCount === 0, 'the stream to be dropped');
    expect(service.table.usersWithInterest('g:11').size).toBe(0);
  });

  it.each([
    ['a scope of no kind', { scope: { kind: guildV1.ScopeKind.UNSPECIFIED, id: '10' }, userId: '1' }, 'interest.remove[0].scope.kind'],
    ['a malformed scope id', { scope: { kind: guildV1.ScopeKind.GUILD, id: '-3' }, userId: '1' }, 'interest.remove[0].scope.id'],
    ["another user's user scope", { scope: { kind: guildV1.ScopeKind.USER, id: '7' }, userId: '8' }, 'interest.remove[0].user_id'],
  ])('refuses %s', async (_what, interest, field) => {
    const gw = gateway();
    gw.hello();
    gw.send({ kind: { case: 'interest', value: { remove: [interest], syncId: 1n } } });
    await until(() => gw.finished, 'the stream to end');
    expect((gw.error as InvalidArgumentError).field).toBe(field);
  });

  it.each([
    ['a user scope', { scope: { kind: guildV1.ScopeKind.USER, id: '7' }, userId: '7' }, 'interest.activate[0].scope.kind'],
    ['a malformed user id', { scope: { kind: guildV1.ScopeKind.GUILD, id: '10' }, userId: 'x' }, 'interest.activate[0].user_id'],
  ])('refuses activating %s', async (_what, interest, field) => {
    const gw = gateway();
    gw.hello();
    gw.send({ kind: { case: 'interest', value: { activate: [interest], syncId: 1n } } });
    await until(() => gw.finished, 'the stream to end');
    expect((gw.error as InvalidArgumentError).field).toBe(field);
  });

  it('refuses a second hello and a malformed ack offset', async () => {
    const twice = gateway();
    twice.hello();
    twice.hello();
    const badAck = gateway('gw-2');
    badAck.hello();
    badAck.send({ kind: { case: 'ack', value: { partition: 0, offset: '1e5' } } });
    await until(() => twice.finished && badAck.finished, 'both streams to end');
    expect((twice.error as InvalidArgumentError).field).toBe('hello');
    expect((badAck.error as InvalidArgumentError).field).toBe('ack.offset');
  });

  it('records acks cumulatively per partition and releases the matching waits', async () => {
    const gw = gateway();
    gw.hello();
    await gw.interest([[guildScope(10n), 1n]]);
    const [stream] = service.streams();
    const waitP3 = stream!.waitForAck(3, 5n, 30_000);
    const waitP4 = stream!.waitForAck(4, 5n, 30_000);
    gw.ack(3, '7');
    expect(await waitP3).toBe('acked');
    expect(await stream!.waitForAck(3, 6n, 30_000)).toBe('acked');
    gw.ack(4, '5');
    expect(await waitP4).toBe('acked');
    expect(stream!.ackedOffset(3)).toBe(7n);
  });

  it('drops a stream when the gateway ends it: its interests go and its pending ack waits resolve as gone', async () => {
    const gw = gateway();
    gw.hello();
    await gw.interest([[guildScope(10n), 1n]]);
    const other = gateway('gw-2');
    other.hello();
    await other.interest([[guildScope(10n), 2n]]);
    const stream = service.streams().find((s) => s.gatewayInstanceId === 'gw-1')!;
    const pending = stream.waitForAck(0, 1n, 30_000);
    gw.end();
    expect(await pending).toBe('gone');
    await until(() => gw.finished, 'the gateway to see the end of the stream');
    expect(gw.error).toBeUndefined();
    expect(service.table.usersWithInterest('g:10')).toEqual(new Set([2n]));
    expect(await metrics.gatewayStreams.get()).toMatchObject({ values: [{ value: 1 }] });
  });

  it('drops a stream whose gateway went away without ending it', async () => {
    const gw = gateway();
    gw.hello();
    await gw.interest([[guildScope(10n), 1n]]);
    gw.cancel();
    await until(() => service.table.streamCount === 0, 'the stream to be dropped');
    expect(service.streams()).toHaveLength(0);
  });
});
