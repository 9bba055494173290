// op 14 GUILD_SUBSCRIPTIONS at the session: parsed and handed to the port once READY, refused
// before it (4003), counted against the command budget (4008), and a bad shape closes with 4002.
import { parseGuildSubscriptions } from './commands';
import type { GuildSubscriptionsCommand } from './commands';
import { Session } from './session';
import { identifyPayload, RecordingLink, testRig } from './test-support';
import type { TestRig } from './test-support';

const settle = () => jest.advanceTimersByTimeAsync(0);
const GUILD = '41771983423143937';
const CHANNEL = '41771983423143999';

beforeEach(() => jest.useFakeTimers());
afterEach(() => jest.useRealTimers());

function withSink(rig: TestRig): { rig: TestRig; received: [string, GuildSubscriptionsCommand][] } {
  const received: [string, GuildSubscriptionsCommand][] = [];
  const sink = { guildSubscriptions: (sessionId: string, command: GuildSubscriptionsCommand) => void received.push([sessionId, command]) };
  return { rig: { ...rig, env: { ...rig.env, ports: { ...rig.env.ports, guildSubscriptions: sink } } }, received };
}

async function readySession(rig: TestRig): Promise<{ session: Session; link: RecordingLink }> {
  const link = new RecordingLink();
  const session = new Session(rig.env, link);
  link.send(identifyPayload());
  await settle();
  return { session, link };
}

describe('gateway session – op 14 guild subscriptions', () => {
  it('hands the parsed request to the port with the session id', async () => {
    const { rig, received } = withSink(testRig());
    const { session, link } = await readySession(rig);
    link.send({ op: 14, d: { guild_id: GUILD, typing: true, threads: false, activities: true, channels: { [CHANNEL]: [[0, 99], [100, 199]] } } });
    expect(link.closedWith).toBeUndefined();
    expect(received).toEqual([[session.id, { guildId: GUILD, channels: new Map([[CHANNEL, [[0, 99], [100, 199]]]]) }]]);
  });

  it('refuses op 14 before IDENTIFY with 4003', async () => {
    const { rig, received } = withSink(testRig());
    const link = new RecordingLink();
    new Session(rig.env, link);
    link.send({ op: 14, d: { guild_id: GUILD } });
    await settle();
    expect(link.closedWith?.code).toBe(4003);
    expect(received).toEqual([]);
  });

  it('counts op 14 against the command budget (4008 past it)', async () => {
    const { rig, received } = withSink(testRig({}, 3));
    const { link } = await readySession(rig);
    for (let i = 0; i < 3; i += 1) link.send({ op: 14, d: { guild_id: GUILD } });
    expect(link.closedWith?.code).toBe(4008);
    expect(received).toHaveLength(2);
  });

  it('closes with 4002 on a malformed request, without reaching the port', async () => {
    const { rig, received } = withSink(testRig());
    const { link } = await readySession(rig);
    link.send({ op: 14, d: { guild_id: GUILD, channels: { [CHANNEL]: [[5, 2]] } } });
    expect(link.closedWith?.code).toBe(4002);
    expect(received).toEqual([]);
  });
});

describe('parseGuildSubscriptions', () => {
  it('reads {} and [] as an unsubscribe and ignores unknown fields', () => {
    const command = parseGuildSubscriptions({ guild_id: GUILD, channels: { [CHANNEL]: {}, '41771983423144000': [] }, thread_member_lists: [] });
    expect([...command.channels]).toEqual([[CHANNEL, []], ['41771983423144000', []]]);
  });

  it.each([
    ['a guild id past 64 bits', { guild_id: '18446744073709551616' }],
    ['a channel key that is not an id', { guild_id: GUILD, channels: { general: [[0, 99]] } }],
    ['a fractional range bound', { guild_id: GUILD, channels: { [CHANNEL]: [[0, 9.5]] } }],
    ['a negative range start', { guild_id: GUILD, channels: { [CHANNEL]: [[-1, 9]] } }],
    ['members that are not ids', { guild_id: GUILD, members: ['me'] }],
    ['more than 10 channels', { guild_id: GUILD, channels: Object.fromEntries(Array.from({ length: 11 }, (_, i) => [String(1000 + i), [[0, 9]]])) }],
  ])('rejects %s with 4002', (_name, d) => {
    expect(() => parseGuildSubscriptions(d)).toThrow(expect.objectContaining({ close: expect.objectContaining({ code: 4002 }) }));
  });
});
