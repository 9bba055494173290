// Guild RPCs: CreateGuild (with @everyone, the owner's membership and a "general" channel),
// UpdateGuild, DeleteGuild (soft), GetGuild.
import type { guildV1 } from '@switchboard/proto';
import { NotFoundError, PermissionDeniedError } from '@switchboard/runtime';
import { guildScope, userScope } from '../events';
import { DEFAULT_EVERYONE_PERMISSIONS, loadGuildAccess, Need, requireGuildPermission } from './access';
import { buildGuildCreate, DEFAULT_LARGE_THRESHOLD } from './guild-create';
import { presencesBeforeLock } from './presences-before-lock';
import { getMember, insertMember } from './member-store';
import { guildPayload } from './payloads';
import { toChannel, toGuild, toRole } from './proto-objects';
import type { GuildRow } from './rows';
import * as store from './store';
import * as v from './validate';
import { lockedWrite } from './write-path';
import type { GuildApiDeps } from './write-path';

export function guildHandlers(deps: GuildApiDeps) {
  return {
    async createGuild(request: guildV1.CreateGuildRequest) {
      const name = v.name(request.name);
      const ownerId = v.snowflake(request.ownerId, 'owner_id');
      const everyone = v.permissions(request.everyonePermissions, 'everyone_permissions', DEFAULT_EVERYONE_PERMISSIONS);
      const icon = request.icon === '' ? null : v.maxLength(request.icon, 'icon', 256);
      request.features.forEach((f, i) => v.name(f, `features[${i}]`, 64));
      const features = [...request.features];
      // member_count: the owner, once the transaction has inserted the membership.
      const guild: GuildRow = { id: deps.ids.next(), name, owner_id: ownerId, icon, features, deleted_at: null, member_count: 1 };
      // A new guild's only member is its owner: their presence, read before the lock.
      const presences = await presencesBeforeLock(deps, undefined, ownerId);
      const { result, eventId } = await lockedWrite(deps, guild.id, async (tx) => {
        if (!(await store.getUser(tx, ownerId))) throw new NotFoundError(`unknown user ${ownerId} (owner_id)`);
        await store.insertGuild(tx, guild);
        await store.saveRole(tx, {
          id: guild.id,
          guild_id: guild.id,
          name: '@everyone',
          permissions: everyone.toString(),
          position: 0,
          color: 0,
          hoist: false,
          mentionable: false,
        });
        await insertMember(tx, guild.id, ownerId, null, []);
        const general = { id: deps.ids.next(), guild_id: guild.id, type: v.ChannelType.GUILD_TEXT, name: 'general', position: 0 };
        await store.saveChannel(tx, { ...general, topic: null, parent_id: null, nsfw: false });
        const payload = (await buildGuildCreate(tx, guild.id, ownerId, DEFAULT_LARGE_THRESHOLD, presences))!;
        return { result: guild, events: [{ scope: userScope(ownerId), type: 'GUILD_CREATE', payload }] };
      });
      return { guild: toGuild(result), eventId };
    },

    async updateGuild(request: guildV1.UpdateGuildRequest) {
      const actorId = v.optionalSnowflake(request.actorId, 'actor_id');
      const guildId = v.snowflake(request.guildId, 'guild_id');
      const name = request.name === undefined ? undefined : v.name(request.name);
      const icon = request.icon === undefined ? undefined : v.maxLength(request.icon, 'icon', 256);
      const ownerId = request.ownerId === undefined ? undefined : v.snowflake(request.ownerId, 'owner_id');
      const { result, eventId } = await lockedWrite(deps, guildId, async (tx) => {
        const access = await loadGuildAccess(tx, guildId);
        await requireGuildPermission(tx, access, actorId, Need.MANAGE_GUILD);
        const updated: GuildRow = { ...access.guild };
        if (name !== undefined) updated.name = name;
        if (icon !== undefined) updated.icon = icon === '' ? null : icon;
        if (ownerId !== undefined && ownerId !== access.guild.owner_id) {
          // Ownership moves only by the owner's hand, and only to a member.
          if (actorId !== undefined && actorId !== access.guild.owner_id) throw new PermissionDeniedError('only the owner can transfer the guild');
          if (!(await getMember(tx, guildId, ownerId))) throw new NotFoundError(`user ${ownerId} is not a member of guild ${guildId} (owner_id)`);
          updated.owner_id = ownerId;
        }
        await store.updateGuild(tx, updated);
        return { result: updated, events: [{ scope: guildScope(guildId), type: 'GUILD_UPDATE', payload: guildPayload(updated, access.roles) }] };
      });
      return { guild: toGuild(result), eventId };
    },

    async deleteGuild(request: guildV1.DeleteGuildRequest) {
      const actorId = v.optionalSnowflake(request.actorId, 'actor_id');
      const guildId = v.snowflake(request.guildId, 'guild_id');
      const { eventId } = await lockedWrite(deps, guildId, async (tx) => {
        const access = await loadGuildAccess(tx, guildId);
        if (actorId !== undefined && actorId !== access.guild.owner_id) throw new PermissionDeniedError('only the owner can delete the guild');
        await store.softDeleteGuild(tx, guildId);
        return { result: undefined, events: [{ scope: guildScope(guildId), type: 'GUILD_DELETE', payload: { id: guildId.toString() } }] };
      });
      return { eventId };
    },

    async getGuild(request: guildV1.GetGuildRequest) {
      const guildId = v.snowflake(request.guildId, 'guild_id');
      const q = deps.database;
      const guild = await store.getGuild(q, guildId);
      if (!guild) throw new NotFoundError(`unknown guild ${guildId}`);
      const [channels, roles] = [await store.guildChannelsWithExtras(q, guildId), await store.getRoles(q, guildId)];
      return { guild: toGuild(guild), channels: channels.map(toChannel), roles: roles.map(toRole) };
    },
  };
}
