// GuildActivity without a network: the per-session caps (active guilds, member lists per guild)
// evict the least recently requested, and leaving a guild ends the session's activity and lists
// there (an unsubscribe only while the user's interest in the guild stays).
import type { GuildSubscriptionsCommand, ListRange, Session } from '../session';
import { SessionRegistry } from '../session';
import type { FanoutRequestInit } from './fanout-stream';
import { GuildActivity, MAX_ACTIVE_GUILDS, MAX_LISTS_PER_GUILD } from './guild-activity';
import { InterestTracker } from './interest-tracker';
import type { InterestDelta } from './interest-tracker';

const GUILD = '100';

function fakeSession(id: string, userId: bigint, guildIds: string[]): Session {
  const session = {
    id,
    userId,
    guildIds,
    trackGuild: (guildId: string) => void (guildIds.includes(guildId) || guildIds.push(guildId)),
    untrackGuild: (guildId: string) => void guildIds.splice(guildIds.indexOf(guildId), guildIds.includes(guildId) ? 1 : 0),
  };
  return session as unknown as Session;
}

function rig() {
  const registry = new SessionRegistry();
  const tracker = new InterestTracker();
  registry.observe(tracker);
  const sent: FanoutRequestInit[] = [];
  const activity = new GuildActivity({ registry, tracker, broadcast: (message) => sent.push(message) });
  registry.observe(activity);
  const changes: InterestDelta[] = [];
  tracker.onChange((delta) => changes.push(delta));
  const lists = () => sent.map((message) => {
    const value = message.kind!.value as { sessionId: string; channelId: string; ranges: { first: number; last: number }[] };
    return `${value.sessionId}/${value.channelId}:${value.ranges.map((range) => `${range.first}-${range.last}`).join(',') || 'off'}`;
  });
  const activationLog = () => changes.flatMap((delta) => [
    ...(delta.activate ?? []).map((pair) => `+${pair.scopeId}:${pair.userId}`),
    ...(delta.deactivate ?? []).map((pair) => `-${pair.scopeId}:${pair.userId}`),
  ]);
  return { registry, tracker, activity, lists, activations: activationLog };
}

const command = (guildId: string, channels: [string, ListRange[]][] = []): GuildSubscriptionsCommand => ({ guildId, channels: new Map(channels) });

describe('guild activity – caps and leaving', () => {
  it(`keeps at most ${MAX_LISTS_PER_GUILD} member lists per guild, dropping the least recently requested`, () => {
    const { registry, activity, lists } = rig();
    const session = fakeSession('s1', 7n, [GUILD]);
    registry.add(session, [GUILD]);
    for (let channel = 1; channel <= MAX_LISTS_PER_GUILD; channel += 1) activity.guildSubscriptions('s1', command(GUILD, [[String(channel), [[0, 99]]]]));
    // Channel 1 again: now the most recent, so channel 2 is the one to go.
    activity.guildSubscriptions('s1', command(GUILD, [['1', [[100, 199]]]]));
    activity.guildSubscriptions('s1', command(GUILD, [['9', [[0, 99]]]]));
    expect(lists().slice(-3)).toEqual(['s1/1:100-199', 's1/9:0-99', 's1/2:off']);
    expect(activity.listSnapshot()).toHaveLength(MAX_LISTS_PER_GUILD);
  });

  it('makes a re-requested guild the most recent, so the cap evicts another', () => {
    const { registry, activity } = rig();
    const guilds = Array.from({ length: MAX_ACTIVE_GUILDS + 1 }, (_, i) => String(200 + i));
    const session = fakeSession('s1', 7n, [...guilds]);
    registry.add(session, guilds);
    for (const guildId of guilds.slice(0, MAX_ACTIVE_GUILDS)) activity.guildSubscriptions('s1', command(guildId));
    activity.guildSubscriptions('s1', command(guilds[0]!));
    activity.guildSubscriptions('s1', command(guilds.at(-1)!));
    expect(activity.activeGuildsOf(session)).toEqual([...guilds.slice(2, MAX_ACTIVE_GUILDS), guilds[0], guilds.at(-1)]);
    expect(activity.isActive(session, guilds[1]!)).toBe(false);
  });

  it('ends activity and lists in a guild the session leaves; unsubscribes only while the user keeps the guild', async () => {
    const { registry, activity, lists, activations } = rig();
    const a = fakeSession('a', 7n, [GUILD]);
    const b = fakeSession('b', 7n, [GUILD]);
    registry.add(a, [GUILD]);
    registry.add(b, [GUILD]);
    activity.guildSubscriptions('a', command(GUILD, [['1', [[0, 99]]]]));
    activity.guildSubscriptions('b', command(GUILD, [['1', [[0, 99]]]]));
    registry.unsubscribe(a, GUILD);
    expect(activity.activeSessions(GUILD)).toEqual(new Set([b]));
    expect(lists()).toEqual(['a/1:0-99', 'b/1:0-99', 'a/1:off']);
    registry.unsubscribe(b, GUILD);
    expect(lists()).toHaveLength(3);
    expect(activity.activeSessions(GUILD).size).toBe(0);
    expect(activity.listSnapshot()).toEqual([]);
    await new Promise((resolve) => setImmediate(resolve));
    expect(activations()).toEqual([`+${GUILD}:7`, `-${GUILD}:7`]);
  });
});
