// Discord's documented permission algorithm ("Permission Overwrites"), written out plainly over
// maps and independently of the runtime's implementation, as the oracle of the property tests.
import { PermissionFlags } from '@switchboard/runtime';

const VIEW = PermissionFlags.VIEW_CHANNEL;
const ADMIN = PermissionFlags.ADMINISTRATOR;

export interface PermissionModel {
  owner: bigint;
  roles: Map<bigint, bigint>;
  members: Map<bigint, bigint[]>;
  overwrites: Map<bigint, Map<bigint, { type: 0 | 1; allow: bigint; deny: bigint }>>;
}

/** The algorithm as Discord's docs write it, over plain maps. */
export function referenceCanView(model: PermissionModel, guildId: bigint, user: bigint, channel: bigint): boolean {
  const roleIds = model.members.get(user);
  const overwrites = model.overwrites.get(channel);
  if (!roleIds || !overwrites) return false;
  if (user === model.owner) return true;
  let base = model.roles.get(guildId) ?? 0n;
  for (const role of roleIds) base |= model.roles.get(role) ?? 0n;
  if (base & ADMIN) return true;
  let perms = base;
  const everyone = overwrites.get(guildId);
  if (everyone) perms = (perms & ~everyone.deny) | everyone.allow;
  let allow = 0n;
  let deny = 0n;
  for (const role of roleIds) {
    const o = overwrites.get(role);
    if (o && o.type === 0) {
      allow |= o.allow;
      deny |= o.deny;
    }
  }
  perms = (perms & ~deny) | allow;
  const own = overwrites.get(user);
  if (own && own.type === 1) perms = (perms & ~own.deny) | own.allow;
  return (perms & VIEW) !== 0n;
}

