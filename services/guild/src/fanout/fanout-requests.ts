// Validation of what a gateway sends on its Fanout stream. A whole InterestChange is checked
// before any of it is applied, so a bad one changes nothing; errors name the proto field path.
import { guildV1 } from '@switchboard/proto';
import { InvalidArgumentError, isSnowflake } from '@switchboard/runtime';
import { scopeKey } from '../events';
import { MAX_RANGE_ITEMS, MAX_RANGES } from '../member-list';
import type { ListRange } from '../member-list';

export interface InterestPair {
  scopeKey: string;
  userId: bigint;
}

export interface ParsedInterestChange {
  add: InterestPair[];
  remove: InterestPair[];
  /** Guild scopes only (a user scope has no active/passive sessions). */
  activate: InterestPair[];
  deactivate: InterestPair[];
  syncId: bigint;
}

export function parseInterestChange(change: guildV1.InterestChange): ParsedInterestChange {
  return {
    add: change.add.map((interest, i) => parseInterest(interest, `interest.add[${i}]`)),
    remove: change.remove.map((interest, i) => parseInterest(interest, `interest.remove[${i}]`)),
    activate: change.activate.map((interest, i) => parseGuildInterest(interest, `interest.activate[${i}]`)),
    deactivate: change.deactivate.map((interest, i) => parseGuildInterest(interest, `interest.deactivate[${i}]`)),
    syncId: change.syncId,
  };
}

function parseInterest(interest: guildV1.Interest, field: string): InterestPair {
  const scope = interest.scope;
  if (!scope) throw new InvalidArgumentError(`${field}.scope`, 'required');
  if (scope.kind !== guildV1.ScopeKind.GUILD && scope.kind !== guildV1.ScopeKind.USER) {
    throw new InvalidArgumentError(`${field}.scope.kind`, 'must be SCOPE_KIND_GUILD or SCOPE_KIND_USER');
  }
  snowflake(scope.id, `${field}.scope.id`);
  const userId = snowflake(interest.userId, `${field}.user_id`);
  // A user scope carries that user's own events: only the user can be interested in it.
  if (scope.kind === guildV1.ScopeKind.USER && userId !== BigInt(scope.id)) {
    throw new InvalidArgumentError(`${field}.user_id`, 'must equal scope.id in a user scope');
  }
  return { scopeKey: scopeKey(scope), userId };
}

function parseGuildInterest(interest: guildV1.Interest, field: string): InterestPair {
  const pair = parseInterest(interest, field);
  if (interest.scope!.kind !== guildV1.ScopeKind.GUILD) throw new InvalidArgumentError(`${field}.scope.kind`, 'must be SCOPE_KIND_GUILD');
  return pair;
}

export interface ParsedMemberListRequest {
  guildId: bigint;
  channelId: bigint;
  sessionId: string;
  userId: bigint;
  /** Empty: unsubscribe. */
  ranges: ListRange[];
}

/** A member-list subscription, checked against the member list's limits (Discord's). */
export function parseMemberListRequest(request: guildV1.MemberListRequest): ParsedMemberListRequest {
  const sessionId = request.sessionId;
  if (sessionId === '') throw new InvalidArgumentError('member_list.session_id', 'required');
  if (sessionId.length > 200) throw new InvalidArgumentError('member_list.session_id', 'longer than 200 characters');
  if (request.ranges.length > MAX_RANGES) throw new InvalidArgumentError('member_list.ranges', `at most ${MAX_RANGES} ranges`);
  const ranges = request.ranges.map(({ first, last }, i): ListRange => {
    if (last < first) throw new InvalidArgumentError(`member_list.ranges[${i}]`, 'last is before first');
    if (last - first + 1 > MAX_RANGE_ITEMS) throw new InvalidArgumentError(`member_list.ranges[${i}]`, `holds more than ${MAX_RANGE_ITEMS} items`);
    return [first, last];
  });
  return {
    guildId: snowflake(request.guildId, 'member_list.guild_id'),
    channelId: snowflake(request.channelId, 'member_list.channel_id'),
    sessionId,
    userId: snowflake(request.userId, 'member_list.user_id'),
    ranges,
  };
}

export interface ParsedAck {
  partition: number;
  offset: bigint;
}

export function parseAck(ack: guildV1.FanoutAck): ParsedAck {
  if (!/^\d{1,19}$/.test(ack.offset)) throw new InvalidArgumentError('ack.offset', 'must be a decimal offset');
  return { partition: ack.partition, offset: BigInt(ack.offset) };
}

export function parseHello(hello: guildV1.FanoutHello): string {
  const id = hello.gatewayInstanceId.trim();
  if (id === '') throw new InvalidArgumentError('hello.gateway_instance_id', 'required');
  if (id.length > 200) throw new InvalidArgumentError('hello.gateway_instance_id', 'longer than 200 characters');
  return id;
}

function snowflake(value: string, field: string): bigint {
  if (!isSnowflake(value)) throw new InvalidArgumentError(field, 'must be a snowflake (a decimal string)');
  return BigInt(value);
}
