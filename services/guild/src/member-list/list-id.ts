// Channels whose VIEW_CHANNEL overwrites are the same show the same members, so they share one
// member list. The wire id is "everyone" when no overwrite touches VIEW_CHANNEL, else a 32-bit
// MurmurHash3 of the sorted "allow:<id>" / "deny:<id>" entries, as the official client computes
// it. Lists are keyed by the full canonical text, never by the hash: two visibilities whose
// hashes collide must not share a list (one would see the other's members).
import { PermissionFlags } from '@switchboard/runtime';
import type { OverwriteView } from '@switchboard/runtime';

export interface ListVisibility {
  /** The list's `id` on the wire. */
  readonly listId: string;
  /** Exact identity of the visibility, to key lists by. */
  readonly key: string;
}

export const EVERYONE_LIST: ListVisibility = { listId: 'everyone', key: 'everyone' };

export function listVisibility(overwrites: Iterable<OverwriteView>): ListVisibility {
  const entries: string[] = [];
  for (const overwrite of overwrites) {
    if ((overwrite.allow & PermissionFlags.VIEW_CHANNEL) !== 0n) entries.push(`allow:${overwrite.id}`);
    else if ((overwrite.deny & PermissionFlags.VIEW_CHANNEL) !== 0n) entries.push(`deny:${overwrite.id}`);
  }
  if (entries.length === 0) return EVERYONE_LIST;
  const key = entries.sort().join(',');
  return { listId: String(murmurHash3(key)), key };
}

/** MurmurHash3 x86 32-bit of the UTF-8 bytes of `text`, seed 0, as an unsigned integer. */
export function murmurHash3(text: string, seed = 0): number {
  const bytes = Buffer.from(text, 'utf8');
  const c1 = 0xcc9e2d51;
  const c2 = 0x1b873593;
  let hash = seed >>> 0;
  const blocks = bytes.length >> 2;
  for (let i = 0; i < blocks; i++) {
    let k = bytes.readUInt32LE(i * 4);
    k = Math.imul(k, c1);
    k = (k << 15) | (k >>> 17);
    hash ^= Math.imul(k, c2);
    hash = (hash << 13) | (hash >>> 19);
    hash = (Math.imul(hash, 5) + 0xe6546b64) | 0;
  }
  const tail = blocks * 4;
  const rest = bytes.length & 3;
  if (rest > 0) {
    let k = bytes[tail]!;
    if (rest > 1) k ^= bytes[tail + 1]! << 8;
    if (rest > 2) k ^= bytes[tail + 2]! << 16;
    k = Math.imul(k, c1);
    k = (k << 15) | (k >>> 17);
    hash ^= Math.imul(k, c2);
  }
  hash ^= bytes.length;
  hash ^= hash >>> 16;
  hash = Math.imul(hash, 0x85ebca6b);
  hash ^= hash >>> 13;
  hash = Math.imul(hash, 0xc2b2ae35);
  hash ^= hash >>> 16;
  return hash >>> 0;
}
