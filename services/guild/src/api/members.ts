// Member RPCs: AddMember (joining: GUILD_MEMBER_ADD to the guild, GUILD_CREATE to the user),
// UpdateMember (nick, roles), RemoveMember (kick or leave: GUILD_MEMBER_REMOVE + GUILD_DELETE).
import type { guildV1 } from '@switchboard/proto';
import { AlreadyExistsError, FailedPreconditionError, NotFoundError } from '@switchboard/runtime';
import type { Queryable } from '@switchboard/runtime';
import { guildScope, userScope } from '../events';
import type { GuildAccess } from './access';
import { actorMember, loadGuildAccess, Need, requireGuildPermission, requireOutranks, requireRoleBelowActor } from './access';
import { buildGuildCreate, DEFAULT_LARGE_THRESHOLD } from './guild-create';
import { presencesBeforeLock } from './presences-before-lock';
import * as members from './member-store';
import { memberPayload, memberUser, userPayload } from './payloads';
import { toMember } from './proto-objects';
import type { MemberRow } from './rows';
import * as store from './store';
import { userInput } from './users';
import * as v from './validate';
import { lockedWrite } from './write-path';
import type { GuildApiDeps } from './write-path';

/** Role ids a member may hold: roles of the guild other than @everyone (implicit). */
function memberRoleIds(access: GuildAccess, ids: readonly bigint[]): bigint[] {
  ids.forEach((id, i) => {
    if (id === access.guild.id || !access.roles.some((r) => r.id === id)) throw new NotFoundError(`unknown role ${id} (role_ids[${i}])`);
  });
  return [...new Set(ids)];
}

async function existingMember(q: Queryable, guildId: bigint, userId: bigint): Promise<MemberRow> {
  const member = await members.getMember(q, guildId, userId);
  if (!member) throw new NotFoundError(`user ${userId} is not a member of guild ${guildId}`);
  return member;
}

const memberEvent = (type: string, member: MemberRow) => ({
  scope: guildScope(member.guild_id),
  type,
  payload: { guild_id: member.guild_id.toString(), ...memberPayload(member) },
});

export function memberHandlers(deps: GuildApiDeps) {
  return {
    async addMember(request: guildV1.AddMemberRequest) {
      const guildId = v.snowflake(request.guildId, 'guild_id');
      const userId = v.snowflake(request.user?.id ?? '', 'user.id');
      // Only the id: the user must be known. More: the profile is upserted.
      const profile = request.user && request.user.username !== '' ? userInput(request.user, 'user') : undefined;
      const nick = request.nick === '' ? null : v.name(request.nick, 'nick', v.MAX_NICK_LENGTH);
      const roleIds = v.snowflakes(request.roleIds, 'role_ids');
      const presences = await presencesBeforeLock(deps, guildId, userId);
      const { result, eventId } = await lockedWrite(deps, guildId, async (tx) => {
        const access = await loadGuildAccess(tx, guildId);
        if (profile) await store.upsertUser(tx, profile);
        else if (!(await store.getUser(tx, userId))) throw new NotFoundError(`unknown user ${userId} (user.id)`);
        if (await members.getMember(tx, guildId, userId)) throw new AlreadyExistsError(`user ${userId} is already a member of guild ${guildId}`);
        await members.insertMember(tx, guildId, userId, nick, memberRoleIds(access, roleIds));
        const member = await existingMember(tx, guildId, userId);
        const guildCreate = (await buildGuildCreate(tx, guildId, userId, DEFAULT_LARGE_THRESHOLD, presences))!;
        const events = [memberEvent('GUILD_MEMBER_ADD', member), { scope: userScope(userId), type: 'GUILD_CREATE', payload: guildCreate }];
        return { result: member, events };
      });
      return { member: toMember(result), eventId };
    },

    async updateMember(request: guildV1.UpdateMemberRequest) {
      const actorId = v.optionalSnowflake(request.actorId, 'actor_id');
      const guildId = v.snowflake(request.guildId, 'guild_id');
      const userId = v.snowflake(request.userId, 'user_id');
      const nick = request.nick === undefined ? undefined : request.nick === '' ? null : v.name(request.nick, 'nick', v.MAX_NICK_LENGTH);
      const roleIds = v.snowflakes(request.roleIds, 'role_ids');
      const { result, eventId } = await lockedWrite(deps, guildId, async (tx) => {
        const access = await loadGuildAccess(tx, guildId);
        const target = await existingMember(tx, guildId, userId);
        const actor = actorId === undefined ? undefined : await actorMember(tx, access, actorId);
        const updated: MemberRow = { ...target };
        if (nick !== undefined) {
          // One's own nick needs CHANGE_NICKNAME; someone else's MANAGE_NICKNAMES and rank.
          const own = actorId === userId;
          await requireGuildPermission(tx, access, actorId, own ? Need.CHANGE_NICKNAME : Need.MANAGE_NICKNAMES);
          requireOutranks(access, actor, target);
          updated.nick = nick;
        }
        if (request.replaceRoles) {
          const next = memberRoleIds(access, roleIds);
          await requireGuildPermission(tx, access, actorId, Need.MANAGE_ROLES);
          const changed = [...next.filter((id) => !target.role_ids.includes(id)), ...target.role_ids.filter((id) => !next.includes(id))];
          for (const id of changed) requireRoleBelowActor(access, actor, access.roles.find((r) => r.id === id)?.position ?? 0, `role ${id}`);
          updated.role_ids = next;
        }
        await members.updateMember(tx, guildId, userId, updated.nick, updated.role_ids);
        return { result: updated, events: [memberEvent('GUILD_MEMBER_UPDATE', updated)] };
      });
      return { member: toMember(result), eventId };
    },

    async removeMember(request: guildV1.RemoveMemberRequest) {
      const actorId = v.optionalSnowflake(request.actorId, 'actor_id');
      const guildId = v.snowflake(request.guildId, 'guild_id');
      const userId = v.snowflake(request.userId, 'user_id');
      const { eventId } = await lockedWrite(deps, guildId, async (tx) => {
        const access = await loadGuildAccess(tx, guildId);
        const target = await existingMember(tx, guildId, userId);
        if (userId === access.guild.owner_id) throw new FailedPreconditionError('the owner cannot leave or be removed (transfer the guild first)');
        // Leaving needs no permission; kicking needs KICK_MEMBERS and rank.
        if (actorId !== userId) {
          const actor = await requireGuildPermission(tx, access, actorId, Need.KICK_MEMBERS);
          requireOutranks(access, actor, target);
        }
        await members.deleteMember(tx, guildId, userId);
        const user = userPayload(memberUser(target));
        const events = [
          { scope: guildScope(guildId), type: 'GUILD_MEMBER_REMOVE', payload: { guild_id: guildId.toString(), user } },
          { scope: userScope(userId), type: 'GUILD_DELETE', payload: { id: guildId.toString() } },
        ];
        return { result: undefined, events };
      });
      return { eventId };
    },
  };
}
