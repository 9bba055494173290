// Scopes: what an event is addressed to and what its record is keyed by. A guild's events share a
// key (so one partition, one owner, one order); so do the events addressed to one user.
import { create } from '@bufbuild/protobuf';
import { guildV1 } from '@switchboard/proto';

export type Scope = guildV1.Scope;
export const ScopeKind = guildV1.ScopeKind;

export function guildScope(guildId: bigint | string): Scope {
  return create(guildV1.ScopeSchema, { kind: guildV1.ScopeKind.GUILD, id: guildId.toString() });
}

export function userScope(userId: bigint | string): Scope {
  return create(guildV1.ScopeSchema, { kind: guildV1.ScopeKind.USER, id: userId.toString() });
}

/** The event log key and the map key of a scope: `g:<id>` or `u:<id>`. */
export function scopeKey(scope: Pick<Scope, 'kind' | 'id'>): string {
  switch (scope.kind) {
    case guildV1.ScopeKind.GUILD:
      return `g:${scope.id}`;
    case guildV1.ScopeKind.USER:
      return `u:${scope.id}`;
    default:
      throw new Error(`scope of unknown kind ${scope.kind}`);
  }
}

/** The inverse of scopeKey. */
export function parseScopeKey(key: string): Scope {
  const id = key.slice(2);
  if (!/^\d+$/.test(id)) throw new Error(`malformed scope key "${key}"`);
  if (key.startsWith('g:')) return guildScope(id);
  if (key.startsWith('u:')) return userScope(id);
  throw new Error(`malformed scope key "${key}"`);
}
