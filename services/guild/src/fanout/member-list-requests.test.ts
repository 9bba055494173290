// Member-list requests are checked like every other Fanout request: a bad one ends the stream with
// INVALID_ARGUMENT naming the field, whichever instance it reaches.
import { InvalidArgumentError, Registry } from '@switchboard/runtime';
import { MAX_RANGE_ITEMS, MAX_RANGES } from '../member-list';
import { FanoutMetrics } from './fanout-metrics';
import { FanoutService } from './fanout-service';
import { FakeGateway, recordingLogger, startFanoutServer, until } from './fanout-test-support';
import type { FanoutServer } from './fanout-test-support';

describe('fanout – member-list request validation', () => {
  let server: FanoutServer;
  const gateways: FakeGateway[] = [];

  beforeEach(async () => {
    const service = new FanoutService({ metrics: new FanoutMetrics(new Registry()), logger: recordingLogger().logger });
    server = await startFanoutServer(service.handler);
  });

  afterEach(() => {
    for (const gw of gateways.splice(0)) gw.close();
    server.stop();
  });

  const valid = { guildId: '10', channelId: '20', sessionId: 'abc', userId: '1', ranges: [{ first: 0, last: 99 }] };
  const range = (first: number, last: number) => ({ first, last });

  it.each([
    ['a malformed guild id', { guildId: '1x' }, 'member_list.guild_id'],
    ['a missing channel id', { channelId: '' }, 'member_list.channel_id'],
    ['a malformed user id', { userId: '-1' }, 'member_list.user_id'],
    ['no session id', { sessionId: '' }, 'member_list.session_id'],
    ['a range ending before it starts', { ranges: [range(0, 99), range(100, 199), range(300, 299)] }, 'member_list.ranges[2]'],
    ['a range over the item limit', { ranges: [range(0, MAX_RANGE_ITEMS)] }, 'member_list.ranges[0]'],
    ['too many ranges', { ranges: Array.from({ length: MAX_RANGES + 1 }, (_, i) => range(i * 100, i * 100 + 99)) }, 'member_list.ranges'],
  ])('refuses %s', async (_what, change, field) => {
    const gw = new FakeGateway(server.address, 'gw');
    gateways.push(gw);
    gw.hello();
    gw.send({ kind: { case: 'memberList', value: { ...valid, ...change } } });
    await until(() => gw.finished, 'the stream to end');
    expect(gw.error).toBeInstanceOf(InvalidArgumentError);
    expect((gw.error as InvalidArgumentError).field).toBe(field);
  });

  it('accepts a valid request and an unsubscribe (no ranges) without ending the stream', async () => {
    const gw = new FakeGateway(server.address, 'gw');
    gateways.push(gw);
    gw.hello();
    gw.send({ kind: { case: 'memberList', value: valid } });
    gw.send({ kind: { case: 'memberList', value: { ...valid, ranges: [] } } });
    await gw.interest([]);
    expect(gw.finished).toBe(false);
  });
});
