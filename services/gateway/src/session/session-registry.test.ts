import { jsonEncoding } from '../codec';
import { GatewayIntent } from '../protocol';
import { Session } from './session';
import { identifyPayload, RecordingLink, testRig } from './test-support';
import type { TestRig } from './test-support';

const G = GatewayIntent;
// Guild ids with (id >> 22) = 1 and 2: shard 1 and shard 0 of 2.
const GUILD_ODD = String(1n << 22n);
const GUILD_EVEN = String(2n << 22n);

async function connect(rig: TestRig, token: string, d: Record<string, unknown> = {}): Promise<{ session: Session; link: RecordingLink }> {
  const link = new RecordingLink();
  const session = new Session(rig.env, link);
  link.send(identifyPayload({ token, ...d }));
  await jest.advanceTimersByTimeAsync(0);
  return { session, link };
}

function rigWithGuilds(): TestRig {
  const rig = testRig();
  rig.auth.add('content-token', 2001n, { grantedPrivileged: G.MESSAGE_CONTENT });
  for (const user of [1001n, 1002n, 2001n]) {
    rig.guilds.add(user, { id: GUILD_ODD, payload: { id: GUILD_ODD } }).add(user, { id: GUILD_EVEN, payload: { id: GUILD_EVEN } });
  }
  return rig;
}

const lastT = (link: RecordingLink) => link.dispatches().at(-1);

beforeEach(() => jest.useFakeTimers());
afterEach(() => jest.useRealTimers());

describe('gateway session registry – fan-out', () => {
  it('delivers a guild event only to sessions whose intents allow it', async () => {
    const rig = rigWithGuilds();
    const withMessages = await connect(rig, 'good-token', { intents: G.GUILDS | G.GUILD_MESSAGES });
    const guildsOnly = await connect(rig, 'other-token', { intents: G.GUILDS });
    expect(rig.registry.dispatchToGuild(GUILD_ODD, 'MESSAGE_CREATE', { id: '9', content: 'hi' })).toBe(1);
    expect(lastT(withMessages.link)).toMatchObject({ t: 'MESSAGE_CREATE' });
    expect(lastT(guildsOnly.link)?.t).toBe('GUILD_CREATE');
  });

  it('routes a guild to the one shard (guild_id >> 22) % n that owns it', async () => {
    const rig = rigWithGuilds();
    const shard0 = await connect(rig, 'good-token', { shard: [0, 2] });
    const shard1 = await connect(rig, 'other-token', { shard: [1, 2] });
    expect(shard0.session.guildIds).toEqual([GUILD_EVEN]);
    rig.registry.subscribe(shard0.session, GUILD_ODD); // even if subscribed by mistake
    expect(rig.registry.dispatchToGuild(GUILD_ODD, 'GUILD_UPDATE', { id: GUILD_ODD })).toBe(1);
    expect(lastT(shard1.link)).toMatchObject({ t: 'GUILD_UPDATE' });
  });

  it('sends DMs only on shard 0 and gates them by DIRECT_MESSAGES', async () => {
    const rig = rigWithGuilds();
    const dm = await connect(rig, 'good-token', { intents: G.DIRECT_MESSAGES, shard: [0, 2] });
    await connect(rig, 'good-token', { intents: G.DIRECT_MESSAGES, shard: [1, 2] });
    await connect(rig, 'other-token', { intents: G.GUILDS });
    expect(rig.registry.dispatchToUsers([1001n, 1002n], 'MESSAGE_CREATE', { id: '1', content: 'psst' })).toBe(1);
    expect(lastT(dm.link)).toMatchObject({ d: { content: 'psst' } });
  });

  it('strips message content without MESSAGE_CONTENT, except for its recipients, encoding each shape once', async () => {
    const rig = rigWithGuilds();
    const intents = G.GUILDS | G.GUILD_MESSAGES;
    const plain = await connect(rig, 'good-token', { intents });
    const author = await connect(rig, 'other-token', { intents });
    const privileged = await connect(rig, 'content-token', { intents: intents | G.MESSAGE_CONTENT });
    const encode = jest.spyOn(jsonEncoding, 'encodeDispatch');
    const message = { id: '5', content: 'secret', embeds: [{}], attachments: [{}], components: [{}], poll: {} };
    rig.registry.dispatchToGuild(GUILD_ODD, 'MESSAGE_CREATE', message, { contentRecipients: new Set([1002n]) });
    expect(lastT(plain.link)!.d).toEqual({ id: '5', content: '', embeds: [], attachments: [], components: [] });
    expect(lastT(author.link)!.d).toEqual(message);
    expect(lastT(privileged.link)!.d).toEqual(message);
    expect(encode).toHaveBeenCalledTimes(2);
    encode.mockRestore();
  });

  it('forgets a session when it ends', async () => {
    const rig = rigWithGuilds();
    const { session, link } = await connect(rig, 'good-token');
    link.drop(1000);
    expect(rig.registry.get(session.id!)).toBeUndefined();
    expect(rig.registry.dispatchToGuild(GUILD_ODD, 'GUILD_UPDATE', {})).toBe(0);
  });
});
