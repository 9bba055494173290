// RequestGuildMembers (gateway op 8): members by username/nick prefix, by id, or all of them,
// answered as GUILD_MEMBERS_CHUNK payloads of at most 1000 members. "All" is read in keyset
// pages of one chunk each, so no single query returns the whole member list.
import type { guildV1 } from '@switchboard/proto';
import { InvalidArgumentError, NotFoundError, PermissionDeniedError } from '@switchboard/runtime';
import type { Queryable } from '@switchboard/runtime';
import * as members from './member-store';
import { memberPayload } from './payloads';
import type { Json } from './payloads';
import type { MemberRow } from './rows';
import { getGuild } from './store';
import * as v from './validate';
import type { GuildApiDeps } from './write-path';

export const MEMBERS_PER_CHUNK = 1000;
export const MAX_QUERY_LIMIT = 100;

interface Selection {
  pages: MemberRow[][];
  notFound?: bigint[];
}

async function allMembers(q: Queryable, guildId: bigint): Promise<Selection> {
  const pages: MemberRow[][] = [];
  let after = 0n;
  for (;;) {
    const page = await members.getMembersPage(q, guildId, after, MEMBERS_PER_CHUNK);
    if (page.length > 0) pages.push(page);
    if (page.length < MEMBERS_PER_CHUNK) return { pages };
    after = page[page.length - 1]!.user_id;
  }
}

async function select(q: Queryable, guildId: bigint, request: guildV1.RequestGuildMembersRequest): Promise<Selection> {
  if (request.userIds.length > 0) {
    if (request.query !== '') throw new InvalidArgumentError('user_ids', 'is exclusive with query');
    const ids = [...new Set(v.snowflakes(request.userIds, 'user_ids'))];
    if (ids.length > v.MAX_REQUESTED_USER_IDS) throw new InvalidArgumentError('user_ids', `must hold at most ${v.MAX_REQUESTED_USER_IDS} ids`);
    const found = await members.getMembersByIds(q, guildId, ids);
    return { pages: [found], notFound: ids.filter((id) => !found.some((m) => m.user_id === id)) };
  }
  if (request.query === '' && request.limit === 0) return allMembers(q, guildId);
  if (request.limit < 1 || request.limit > MAX_QUERY_LIMIT) {
    throw new InvalidArgumentError('limit', `must be 1–${MAX_QUERY_LIMIT} (0 only with an empty query)`);
  }
  v.maxLength(request.query, 'query', 100);
  return { pages: [await members.searchMembers(q, guildId, request.query, request.limit)] };
}

function chunks(guildId: bigint, selection: Selection, request: guildV1.RequestGuildMembersRequest): string[] {
  // Always at least one chunk, so the requester learns "none" too.
  const pages = selection.pages.length > 0 ? selection.pages : [[]];
  return pages.map((page, index) => {
    const chunk: Json = {
      guild_id: guildId.toString(),
      members: page.map((m) => memberPayload(m)),
      chunk_index: index,
      chunk_count: pages.length,
    };
    if (selection.notFound && index === 0) chunk.not_found = selection.notFound.map(String);
    if (request.presences) chunk.presences = [];
    if (request.nonce !== '') chunk.nonce = request.nonce;
    return JSON.stringify(chunk);
  });
}

export function guildMemberHandlers(deps: GuildApiDeps) {
  return {
    async requestGuildMembers(request: guildV1.RequestGuildMembersRequest) {
      const guildId = v.snowflake(request.guildId, 'guild_id');
      const userId = v.snowflake(request.userId, 'user_id');
      v.maxLength(request.nonce, 'nonce', 32);
      const q = deps.database;
      if (!(await getGuild(q, guildId))) throw new NotFoundError(`unknown guild ${guildId}`);
      if (!(await members.getMember(q, guildId, userId))) throw new PermissionDeniedError(`user ${userId} is not a member of guild ${guildId}`);
      return { chunkJson: chunks(guildId, await select(q, guildId, request), request) };
    },
  };
}
