// canView follows Discord's documented algorithm ("Permission Overwrites": base from @everyone and
// the member's roles; ADMINISTRATOR or ownership grants all; then the channel's @everyone
// overwrite, the member's roles' overwrites together, then the member's overwrite), and every
// state change takes effect for the very next question.
import { PermissionFlags } from '@switchboard/runtime';
import { GuildState } from './guild-state';

const GUILD = 1000n;
const OWNER = 1n;
const ALICE = 2n;
const BOB = 3n;
const MOD = 2000n;
const MUTED = 2001n;
const SECRET = 3000n;
const GENERAL = 3001n;
const { VIEW_CHANNEL, SEND_MESSAGES, ADMINISTRATOR } = PermissionFlags;

function guild(): GuildState {
  return new GuildState({
    id: GUILD,
    ownerId: OWNER,
    roles: [
      { id: GUILD, permissions: VIEW_CHANNEL | SEND_MESSAGES },
      { id: MOD, permissions: 0n },
      { id: MUTED, permissions: 0n },
    ],
    channels: [
      { id: GENERAL, type: 0, overwrites: new Map() },
      { id: SECRET, type: 0, overwrites: new Map([[GUILD, { id: GUILD, type: 0, allow: 0n, deny: VIEW_CHANNEL }]]) },
    ],
    members: [
      { userId: OWNER, roleIds: [] },
      { userId: ALICE, roleIds: [] },
      { userId: BOB, roleIds: [MOD] },
    ],
  });
}

const s = (n: bigint) => n.toString();
const overwrite = (id: bigint, type: 0 | 1, allow: bigint, deny: bigint) => ({ id: s(id), type, allow: s(allow), deny: s(deny) });

describe('GuildState.canView (Discord permission algorithm)', () => {
  it('lets members see channels @everyone may view, and nobody outside the guild', () => {
    const state = guild();
    expect(state.canView(ALICE, GENERAL)).toBe(true);
    expect(state.canView(99n, GENERAL)).toBe(false);
    expect(state.canView(ALICE, 12345n)).toBe(false);
  });

  it('hides a channel whose @everyone overwrite denies VIEW_CHANNEL, except from the owner', () => {
    const state = guild();
    expect(state.canView(ALICE, SECRET)).toBe(false);
    expect(state.canView(OWNER, SECRET)).toBe(true);
  });

  it('lets a role overwrite allow what the @everyone overwrite denied', () => {
    const state = guild();
    state.apply('CHANNEL_UPDATE', {
      id: s(SECRET), type: 0, guild_id: s(GUILD),
      permission_overwrites: [overwrite(GUILD, 0, 0n, VIEW_CHANNEL), overwrite(MOD, 0, VIEW_CHANNEL, 0n)],
    });
    expect(state.canView(BOB, SECRET)).toBe(true);
    expect(state.canView(ALICE, SECRET)).toBe(false);
  });

  it('applies role overwrites together: an allow from one role beats a deny from another', () => {
    const state = guild();
    state.apply('GUILD_MEMBER_UPDATE', { guild_id: s(GUILD), user: { id: s(BOB) }, roles: [s(MOD), s(MUTED)] });
    state.apply('CHANNEL_UPDATE', {
      id: s(GENERAL), type: 0,
      permission_overwrites: [overwrite(MUTED, 0, 0n, VIEW_CHANNEL), overwrite(MOD, 0, VIEW_CHANNEL, 0n)],
    });
    expect(state.canView(BOB, GENERAL)).toBe(true);
  });

  it('lets a member overwrite win over role overwrites', () => {
    const state = guild();
    state.apply('CHANNEL_UPDATE', {
      id: s(SECRET), type: 0,
      permission_overwrites: [overwrite(GUILD, 0, 0n, VIEW_CHANNEL), overwrite(MOD, 0, VIEW_CHANNEL, 0n), overwrite(BOB, 1, 0n, VIEW_CHANNEL)],
    });
    expect(state.canView(BOB, SECRET)).toBe(false);
  });

  it('grants everything to ADMINISTRATOR, overwrites notwithstanding', () => {
    const state = guild();
    state.apply('GUILD_ROLE_UPDATE', { guild_id: s(GUILD), role: { id: s(MOD), permissions: s(ADMINISTRATOR) } });
    state.apply('CHANNEL_UPDATE', { id: s(SECRET), type: 0, permission_overwrites: [overwrite(BOB, 1, 0n, VIEW_CHANNEL)] });
    expect(state.canView(BOB, SECRET)).toBe(true);
  });

  it('takes role permission changes into account at once (the answer is not stale)', () => {
    const state = guild();
    expect(state.canView(ALICE, GENERAL)).toBe(true);
    state.apply('GUILD_ROLE_UPDATE', { guild_id: s(GUILD), role: { id: s(GUILD), permissions: s(SEND_MESSAGES) } });
    expect(state.canView(ALICE, GENERAL)).toBe(false);
  });

  it('forgets a deleted role everywhere: members lose what it granted', () => {
    const state = guild();
    state.apply('CHANNEL_UPDATE', {
      id: s(SECRET), type: 0, permission_overwrites: [overwrite(GUILD, 0, 0n, VIEW_CHANNEL), overwrite(MOD, 0, VIEW_CHANNEL, 0n)],
    });
    expect(state.canView(BOB, SECRET)).toBe(true);
    state.apply('GUILD_ROLE_DELETE', { guild_id: s(GUILD), role_id: s(MOD) });
    expect(state.canView(BOB, SECRET)).toBe(false);
    expect(state.members.get(BOB)?.roleIds).toEqual([]);
  });

  it('tracks membership: a removed member sees nothing, a re-added one sees again', () => {
    const state = guild();
    state.apply('GUILD_MEMBER_REMOVE', { guild_id: s(GUILD), user: { id: s(ALICE) } });
    expect(state.isMember(ALICE)).toBe(false);
    expect(state.canView(ALICE, GENERAL)).toBe(false);
    state.apply('GUILD_MEMBER_ADD', { guild_id: s(GUILD), user: { id: s(ALICE) }, roles: [] });
    expect(state.canView(ALICE, GENERAL)).toBe(true);
  });

  it('moves ownership with GUILD_UPDATE and hides everything after GUILD_DELETE', () => {
    const state = guild();
    state.apply('GUILD_UPDATE', { id: s(GUILD), owner_id: s(ALICE) });
    expect(state.canView(ALICE, SECRET)).toBe(true);
    expect(state.canView(OWNER, SECRET)).toBe(false);
    state.apply('GUILD_DELETE', { id: s(GUILD) });
    expect(state.canView(ALICE, GENERAL)).toBe(false);
    expect(state.isMember(ALICE)).toBe(false);
  });

  it('ignores events that carry no state (messages, typing)', () => {
    const state = guild();
    state.apply('MESSAGE_CREATE', { id: '5', channel_id: s(GENERAL), content: 'hi' });
    expect(state.canView(ALICE, GENERAL)).toBe(true);
  });

  it('rejects a malformed state payload instead of guessing', () => {
    expect(() => guild().apply('GUILD_ROLE_UPDATE', { role: { id: 'not-a-snowflake' } })).toThrow(/not a snowflake/);
  });
});
