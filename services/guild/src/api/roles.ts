// Role RPCs: CreateRole, UpdateRole, DeleteRole. An actor needs MANAGE_ROLES, may only touch
// roles below its highest role and grant permissions it has (owners and admins excepted).
import type { guildV1 } from '@switchboard/proto';
import { FailedPreconditionError, NotFoundError } from '@switchboard/runtime';
import { guildScope } from '../events';
import type { GuildAccess } from './access';
import { loadGuildAccess, Need, requireGrantable, requireGuildPermission, requireRoleBelowActor } from './access';
import { rolePayload } from './payloads';
import { toRole } from './proto-objects';
import type { RoleRow } from './rows';
import * as store from './store';
import * as v from './validate';
import { lockedWrite } from './write-path';
import type { GuildApiDeps } from './write-path';

function existingRole(access: GuildAccess, roleId: bigint): RoleRow {
  const role = access.roles.find((r) => r.id === roleId);
  if (!role) throw new NotFoundError(`unknown role ${roleId} in guild ${access.guild.id}`);
  return role;
}

const roleEvent = (guildId: bigint, type: string, role: RoleRow) => ({
  scope: guildScope(guildId),
  type,
  payload: { guild_id: guildId.toString(), role: rolePayload(role) },
});

export function roleHandlers(deps: GuildApiDeps) {
  return {
    async createRole(request: guildV1.CreateRoleRequest) {
      const actorId = v.optionalSnowflake(request.actorId, 'actor_id');
      const guildId = v.snowflake(request.guildId, 'guild_id');
      const name = v.name(request.name);
      const bits = v.permissions(request.permissions, 'permissions', 0n);
      // Position 0 belongs to @everyone; new roles default to just above it, as in Discord.
      const role: RoleRow = {
        id: deps.ids.next(),
        guild_id: guildId,
        name,
        permissions: bits.toString(),
        position: Math.max(1, request.position),
        color: request.color & 0xffffff,
        hoist: request.hoist,
        mentionable: request.mentionable,
      };
      const { eventId } = await lockedWrite(deps, guildId, async (tx) => {
        const access = await loadGuildAccess(tx, guildId);
        const actor = await requireGuildPermission(tx, access, actorId, Need.MANAGE_ROLES);
        requireRoleBelowActor(access, actor, role.position, `position ${role.position}`);
        requireGrantable(access, actor, bits);
        await store.saveRole(tx, role);
        return { result: role, events: [roleEvent(guildId, 'GUILD_ROLE_CREATE', role)] };
      });
      return { role: toRole(role), eventId };
    },

    async updateRole(request: guildV1.UpdateRoleRequest) {
      const actorId = v.optionalSnowflake(request.actorId, 'actor_id');
      const guildId = v.snowflake(request.guildId, 'guild_id');
      const roleId = v.snowflake(request.roleId, 'role_id');
      const name = request.name === undefined ? undefined : v.name(request.name);
      const bits = request.permissions === undefined ? undefined : v.permissions(request.permissions);
      const { result, eventId } = await lockedWrite(deps, guildId, async (tx) => {
        const access = await loadGuildAccess(tx, guildId);
        const role = existingRole(access, roleId);
        const actor = await requireGuildPermission(tx, access, actorId, Need.MANAGE_ROLES);
        requireRoleBelowActor(access, actor, role.position, `role ${roleId}`);
        const isEveryone = roleId === guildId;
        if (isEveryone && (name !== undefined || request.position !== undefined)) {
          throw new FailedPreconditionError('the @everyone role keeps its name and position 0');
        }
        const updated: RoleRow = { ...role };
        if (name !== undefined) updated.name = name;
        if (bits !== undefined) {
          requireGrantable(access, actor, bits & ~BigInt(role.permissions));
          updated.permissions = bits.toString();
        }
        if (request.position !== undefined) {
          updated.position = Math.max(1, request.position);
          requireRoleBelowActor(access, actor, updated.position, `position ${updated.position}`);
        }
        if (request.color !== undefined) updated.color = request.color & 0xffffff;
        if (request.hoist !== undefined) updated.hoist = request.hoist;
        if (request.mentionable !== undefined) updated.mentionable = request.mentionable;
        await store.saveRole(tx, updated);
        return { result: updated, events: [roleEvent(guildId, 'GUILD_ROLE_UPDATE', updated)] };
      });
      return { role: toRole(result), eventId };
    },

    async deleteRole(request: guildV1.DeleteRoleRequest) {
      const actorId = v.optionalSnowflake(request.actorId, 'actor_id');
      const guildId = v.snowflake(request.guildId, 'guild_id');
      const roleId = v.snowflake(request.roleId, 'role_id');
      const { eventId } = await lockedWrite(deps, guildId, async (tx) => {
        const access = await loadGuildAccess(tx, guildId);
        const role = existingRole(access, roleId);
        if (roleId === guildId) throw new FailedPreconditionError('the @everyone role cannot be deleted');
        const actor = await requireGuildPermission(tx, access, actorId, Need.MANAGE_ROLES);
        requireRoleBelowActor(access, actor, role.position, `role ${roleId}`);
        await store.deleteRole(tx, guildId, roleId);
        const payload = { guild_id: guildId.toString(), role_id: roleId.toString() };
        return { result: undefined, events: [{ scope: guildScope(guildId), type: 'GUILD_ROLE_DELETE', payload }] };
      });
      return { eventId };
    },
  };
}
