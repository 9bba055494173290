// What the fan-out reads of a guild's state besides visibility: its member count (large guilds)
// and a channel's overwrites (which member list the channel shows).
import { PermissionFlags } from '@switchboard/runtime';
import { GuildState } from './guild-state';

describe('GuildState – member count and channel overwrites', () => {
  const deny = { id: 5n, type: 1 as const, allow: 0n, deny: PermissionFlags.VIEW_CHANNEL };
  const state = () =>
    new GuildState({
      id: 1n,
      ownerId: 2n,
      roles: [{ id: 1n, permissions: PermissionFlags.VIEW_CHANNEL }],
      channels: [{ id: 10n, type: 0, overwrites: new Map([[5n, deny]]) }],
      members: [{ userId: 2n, roleIds: [] }, { userId: 5n, roleIds: [] }],
    });

  it('counts members as they join and leave, and none once the guild is deleted', () => {
    const guild = state();
    expect(guild.memberCount()).toBe(2);
    guild.apply('GUILD_MEMBER_ADD', { guild_id: '1', user: { id: '7' }, roles: [] });
    guild.apply('GUILD_MEMBER_ADD', { guild_id: '1', user: { id: '7' }, roles: [] });
    expect(guild.memberCount()).toBe(3);
    guild.apply('GUILD_MEMBER_REMOVE', { guild_id: '1', user: { id: '2' } });
    expect(guild.memberCount()).toBe(2);
    guild.apply('GUILD_DELETE', { id: '1' });
    expect(guild.memberCount()).toBe(0);
  });

  it('gives a channel\'s overwrites as applied, and nothing for an unknown channel', () => {
    const guild = state();
    expect([...guild.channelOverwrites(10n)!]).toEqual([deny]);
    guild.apply('CHANNEL_UPDATE', { id: '10', guild_id: '1', type: 0, permission_overwrites: [] });
    expect([...guild.channelOverwrites(10n)!]).toEqual([]);
    expect(guild.channelOverwrites(11n)).toBeUndefined();
  });
});
