// The registry of member-list subscriptions every instance keeps: one per (stream, session, guild,
// channel), ranges replaced in place, dropped by unsubscribe, by user (interest gone), by stream
// and by guild.
import { GatewayStream } from './gateway-stream';
import { ListSubscriberRegistry } from './list-subscribers';
import type { ParsedMemberListRequest } from './fanout-requests';

describe('fanout – member-list subscriber registry', () => {
  const a = new GatewayStream('a', () => undefined);
  const b = new GatewayStream('b', () => undefined);
  const request = (init: Partial<ParsedMemberListRequest>): ParsedMemberListRequest => ({
    guildId: 1n, channelId: 10n, sessionId: 's1', userId: 100n, ranges: [[0, 99]], ...init,
  });

  it('keeps one subscription per (stream, session, guild, channel), updating its ranges', () => {
    const registry = new ListSubscriberRegistry();
    const first = registry.apply(a, request({}));
    const again = registry.apply(a, request({ ranges: [[0, 99], [100, 199]] }));
    expect(again).toBe(first);
    expect(first!.ranges).toEqual([[0, 99], [100, 199]]);
    registry.apply(a, request({ channelId: 11n }));
    registry.apply(b, request({}));
    expect(registry.size).toBe(3);
    expect(registry.ofGuild(1n).size).toBe(3);
    expect(registry.apply(a, request({ ranges: [] }))).toBe(first);
    expect(registry.apply(a, request({ ranges: [] }))).toBeUndefined();
    expect(registry.size).toBe(2);
  });

  it('drops a user\'s subscriptions on one stream, a stream\'s, and a guild\'s', () => {
    const registry = new ListSubscriberRegistry();
    registry.apply(a, request({}));
    registry.apply(a, request({ sessionId: 's2' }));
    registry.apply(a, request({ sessionId: 's3', userId: 101n }));
    registry.apply(b, request({}));
    registry.apply(b, request({ guildId: 2n }));
    expect(registry.removeUser(a, 1n, 100n).map((s) => s.sessionId).sort()).toEqual(['s1', 's2']);
    expect(registry.size).toBe(3);
    expect(registry.removeStream(a).map((s) => s.sessionId)).toEqual(['s3']);
    expect(registry.removeGuild(1n)).toHaveLength(1);
    expect(registry.guilds()).toEqual([2n]);
    expect(registry.size).toBe(1);
  });
});
