// Within a group the list sorts by display name (nick, else global name, else username),
// case-insensitively, then by user id. Keys are precomputed once per member and compared with
// plain string `<` (code-unit order, locale-independent, and fast).

export interface MemberSortKey {
  /** Lower-cased display name. */
  readonly name: string;
  readonly userId: bigint;
  /** namePrefix(name), kept so the sorted set reads it without recomputing. */
  readonly prefix: number;
}

export function displayNameOf(member: { readonly nick: string | null; readonly globalName: string | null; readonly username: string }): string {
  return member.nick || member.globalName || member.username;
}

export function sortKeyOf(member: { readonly userId: bigint; readonly nick: string | null; readonly globalName: string | null; readonly username: string }): MemberSortKey {
  const name = displayNameOf(member).toLowerCase();
  return { name, userId: member.userId, prefix: namePrefix(name) };
}

export function compareSortKeys(a: MemberSortKey, b: MemberSortKey): number {
  if (a.name !== b.name) return a.name < b.name ? -1 : 1;
  return a.userId < b.userId ? -1 : a.userId > b.userId ? 1 : 0;
}

const PREFIX_CHARS = 7;
const BASE = 97; // end of string, 95 printable ASCII, everything else
const FIRST_PRINTABLE = 0x20;
const LAST_PRINTABLE = 0x7e;

/**
 * A number that orders like the first 7 characters of `name` (so a < b implies prefix(a) <=
 * prefix(b)): printable ASCII maps one-to-one onto digits 1..95 of a base-97 number (97^7 <
 * 2^53, exact in a double). A character outside that range maps to a shared digit (0 below, 96
 * above) and ends the prefix, since characters after a shared digit could contradict the order.
 */
export function namePrefix(name: string): number {
  let value = 0;
  let i = 0;
  for (; i < PREFIX_CHARS && i < name.length; i++) {
    const code = name.charCodeAt(i);
    if (code < FIRST_PRINTABLE || code > LAST_PRINTABLE) {
      value = value * BASE + (code < FIRST_PRINTABLE ? 0 : BASE - 1);
      i++;
      break;
    }
    value = value * BASE + (code - FIRST_PRINTABLE + 1);
  }
  for (; i < PREFIX_CHARS; i++) value *= BASE;
  return value;
}
