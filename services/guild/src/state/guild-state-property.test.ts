// Randomised: after any sequence of role, overwrite, member and ownership changes, the memoised
// canView agrees with a from-scratch evaluation of Discord's documented algorithm, written here
// independently of the runtime's implementation.
import { PermissionFlags } from '@switchboard/runtime';
import { referenceCanView } from '../testing/reference-permissions';
import type { PermissionModel as Model } from '../testing/reference-permissions';
import { GuildState } from './guild-state';

const GUILD = 1n;
const VIEW = PermissionFlags.VIEW_CHANNEL;
const ADMIN = PermissionFlags.ADMINISTRATOR;

function rng(seed: number): () => number {
  let x = seed >>> 0;
  return () => ((x = (Math.imul(x, 1664525) + 1013904223) >>> 0) / 2 ** 32);
}

describe('GuildState memoised visibility (property)', () => {
  it.each([1, 2, 3, 4, 5])('agrees with the documented algorithm after random changes (seed %i)', (seed) => {
    const random = rng(seed);
    const pick = <T,>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
    const roleIds = [GUILD, 10n, 11n, 12n, 13n];
    const userIds = [100n, 101n, 102n, 103n, 104n, 105n];
    const channelIds = [200n, 201n, 202n];
    const bits = () => pick([0n, VIEW, 0n, VIEW, ADMIN, PermissionFlags.SEND_MESSAGES]);
    const model: Model = { owner: 100n, roles: new Map(roleIds.map((id) => [id, bits()])), members: new Map(), overwrites: new Map() };
    for (const user of userIds) model.members.set(user, roleIds.slice(1).filter(() => random() < 0.3));
    for (const channel of channelIds) model.overwrites.set(channel, new Map());
    const state = new GuildState({
      id: GUILD,
      ownerId: model.owner,
      roles: [...model.roles].map(([id, permissions]) => ({ id, permissions })),
      channels: channelIds.map((id) => ({ id, type: 0, overwrites: new Map() })),
      members: [...model.members].map(([userId, roles]) => ({ userId, roleIds: [...roles] })),
    });
    const str = (n: bigint) => n.toString();
    for (let step = 0; step < 400; step += 1) {
      const choice = random();
      if (choice < 0.25) {
        const role = pick(roleIds);
        model.roles.set(role, bits());
        state.apply('GUILD_ROLE_UPDATE', { role: { id: str(role), permissions: str(model.roles.get(role)!) } });
      } else if (choice < 0.55) {
        const channel = pick(channelIds);
        const map = new Map<bigint, { type: 0 | 1; allow: bigint; deny: bigint }>();
        for (const target of [...roleIds, ...userIds]) {
          if (random() < 0.25) map.set(target, { type: userIds.includes(target) ? 1 : 0, allow: random() < 0.5 ? VIEW : 0n, deny: random() < 0.5 ? VIEW : 0n });
        }
        model.overwrites.set(channel, map);
        state.apply('CHANNEL_UPDATE', {
          id: str(channel), type: 0,
          permission_overwrites: [...map].map(([id, o]) => ({ id: str(id), type: o.type, allow: str(o.allow), deny: str(o.deny) })),
        });
      } else if (choice < 0.8) {
        const user = pick(userIds);
        if (random() < 0.2) {
          model.members.delete(user);
          state.apply('GUILD_MEMBER_REMOVE', { user: { id: str(user) } });
        } else {
          const roles = roleIds.slice(1).filter(() => random() < 0.4);
          model.members.set(user, roles);
          state.apply('GUILD_MEMBER_UPDATE', { user: { id: str(user) }, roles: roles.map(str) });
        }
      } else if (choice < 0.9) {
        model.owner = pick(userIds);
        state.apply('GUILD_UPDATE', { id: str(GUILD), owner_id: str(model.owner) });
      }
      for (const user of userIds) {
        for (const channel of channelIds) {
          expect([step, user, channel, state.canView(user, channel)]).toEqual([step, user, channel, referenceCanView(model, GUILD, user, channel)]);
        }
      }
    }
  });
});
