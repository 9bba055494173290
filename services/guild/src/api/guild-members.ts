// RequestGuildMembers (gateway op 8): members by username/nick prefix, by id, or all of them,
// streamed as GUILD_MEMBERS_CHUNK payloads of at most 1000 members. "All" is read in keyset
// pages of one chunk each, each sent before the next is read, so neither a query nor a message
// ever holds the whole member list. With `presences: true`, each chunk carries the presences of
// its members who are not offline: one presence read per chunk, made just before it is sent.
import type { guildV1 } from '@switchboard/proto';
import { InvalidArgumentError, NotFoundError, PermissionDeniedError } from '@switchboard/runtime';
import type { HandlerContext, Queryable } from '@switchboard/runtime';
import { NO_PRESENCES, presencesOrNone } from '../presence-reader';
import type { PresencePayload, PresenceReader } from '../presence-reader';
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
  /** How many chunks will be sent (chunk_count). */
  count: number;
  pages: AsyncIterable<MemberRow[]>;
  notFound?: bigint[];
}

/**
 * Every member, a page per chunk. chunk_count comes from the guild's member count when the request
 * starts; members who join while the pages are read may be left out (a request is a snapshot).
 */
function allMembers(q: Queryable, guildId: bigint, memberCount: number): Selection {
  const count = Math.max(1, Math.ceil(memberCount / MEMBERS_PER_CHUNK));
  async function* pages(): AsyncIterable<MemberRow[]> {
    let after = 0n;
    for (let index = 0; index < count; index += 1) {
      const page = await members.getMembersPage(q, guildId, after, MEMBERS_PER_CHUNK);
      yield page;
      if (page.length < MEMBERS_PER_CHUNK) return;
      after = page[page.length - 1]!.user_id;
    }
  }
  return { count, pages: pages() };
}

async function* one(page: MemberRow[]): AsyncIterable<MemberRow[]> {
  yield page;
}

async function select(q: Queryable, guildId: bigint, memberCount: number, request: guildV1.RequestGuildMembersRequest): Promise<Selection> {
  if (request.userIds.length > 0) {
    if (request.query !== '') throw new InvalidArgumentError('user_ids', 'is exclusive with query');
    const ids = [...new Set(v.snowflakes(request.userIds, 'user_ids'))];
    if (ids.length > v.MAX_REQUESTED_USER_IDS) throw new InvalidArgumentError('user_ids', `must hold at most ${v.MAX_REQUESTED_USER_IDS} ids`);
    const found = await members.getMembersByIds(q, guildId, ids);
    return { count: 1, pages: one(found), notFound: ids.filter((id) => !found.some((m) => m.user_id === id)) };
  }
  if (request.query === '' && request.limit === 0) return allMembers(q, guildId, memberCount);
  if (request.limit < 1 || request.limit > MAX_QUERY_LIMIT) {
    throw new InvalidArgumentError('limit', `must be 1–${MAX_QUERY_LIMIT} (0 only with an empty query)`);
  }
  v.maxLength(request.query, 'query', 100);
  return { count: 1, pages: one(await members.searchMembers(q, guildId, request.query, request.limit)) };
}

/** The presences of a page's members, when asked for. */
type PagePresences = (page: MemberRow[]) => Promise<PresencePayload[] | undefined>;

/**
 * A presence service that fails costs the chunk its presences, not the chunk: the members are what
 * the requester waits for (discord.js waits for every chunk_index), so the chunk goes out with an
 * empty `presences` and those members read as offline until their next PRESENCE_UPDATE. After one
 * failed read the request's later chunks skip theirs, so a long list is not slowed by a deadline
 * per chunk.
 */
function pagePresences(deps: GuildApiDeps, request: guildV1.RequestGuildMembersRequest, signal: AbortSignal | undefined): PagePresences {
  if (!request.presences) return async () => undefined;
  const inner = deps.presences ?? NO_PRESENCES;
  const state = { failed: false };
  const reader: PresenceReader = {
    presencesOf: (ids, s) =>
      inner.presencesOf(ids, s).catch((err: unknown) => {
        state.failed = true;
        throw err;
      }),
  };
  const options = { logger: deps.logger, signal, what: 'GUILD_MEMBERS_CHUNK' };
  return async (page) => {
    if (state.failed) return [];
    const read = await presencesOrNone(reader, page.map((m) => m.user_id), options);
    return page.flatMap((m) => read.get(m.user_id) ?? []);
  };
}

async function* chunks(guildId: bigint, selection: Selection, request: guildV1.RequestGuildMembersRequest, presencesOf: PagePresences): AsyncIterable<{ chunkJson: string }> {
  // Exactly chunk_count chunks, at least one, so the requester learns "none" too.
  let index = 0;
  for await (const page of selection.pages) {
    yield { chunkJson: chunkJson(guildId, page, index, selection, request, await presencesOf(page)) };
    index += 1;
  }
  for (; index < selection.count; index += 1) yield { chunkJson: chunkJson(guildId, [], index, selection, request, await presencesOf([])) };
}

function chunkJson(
  guildId: bigint,
  page: MemberRow[],
  index: number,
  selection: Selection,
  request: guildV1.RequestGuildMembersRequest,
  presences: PresencePayload[] | undefined,
): string {
  const chunk: Json = {
    guild_id: guildId.toString(),
    members: page.map((m) => memberPayload(m)),
    chunk_index: index,
    chunk_count: selection.count,
  };
  if (selection.notFound && index === 0) chunk.not_found = selection.notFound.map(String);
  if (presences) chunk.presences = presences;
  if (request.nonce !== '') chunk.nonce = request.nonce;
  return JSON.stringify(chunk);
}

export function guildMemberHandlers(deps: GuildApiDeps) {
  return {
    async *requestGuildMembers(request: guildV1.RequestGuildMembersRequest, context?: HandlerContext): AsyncIterable<{ chunkJson: string }> {
      const guildId = v.snowflake(request.guildId, 'guild_id');
      const userId = v.snowflake(request.userId, 'user_id');
      v.maxLength(request.nonce, 'nonce', 32);
      const q = deps.database;
      const guild = await getGuild(q, guildId);
      if (!guild) throw new NotFoundError(`unknown guild ${guildId}`);
      if (!(await members.getMember(q, guildId, userId))) throw new PermissionDeniedError(`user ${userId} is not a member of guild ${guildId}`);
      const selection = await select(q, guildId, Number(guild.member_count), request);
      yield* chunks(guildId, selection, request, pagePresences(deps, request, context?.signal));
    },
  };
}
