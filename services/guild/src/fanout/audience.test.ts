import { create } from '@bufbuild/protobuf';
import { guildV1 } from '@switchboard/proto';
import { guildScope, scopeKey, userScope } from '../events';
import { encodeVisibility, visibleUsers } from './audience';
import type { DecodedEvent } from './decoded-event';
import { FakeScopeState } from './fanout-test-support';

function decoded(scope: guildV1.Scope, extra: Partial<DecodedEvent> = {}): DecodedEvent {
  return {
    event: create(guildV1.GuildEventSchema, { scope, type: 'X', eventId: '1', payloadJson: '{}' }),
    scopeKey: scopeKey(scope),
    kind: scope.kind,
    scopeId: BigInt(scope.id),
    payload: {},
    channelId: undefined,
    onlyUserIds: undefined,
    pushUserIds: [],
    ...extra,
  };
}

describe('fanout – audience', () => {
  const state = new FakeScopeState({ members: [1n, 2n, 3n, 4n], hidden: [[2n, 50n]] });
  const interested = new Set([1n, 2n, 3n, 5n]);

  it('shows a channel event to interested members who can view the channel', () => {
    expect(visibleUsers(decoded(guildScope(9n), { channelId: 50n }), state, interested)).toEqual([1n, 3n]);
  });

  it('shows a guild-wide event to interested members only', () => {
    expect(visibleUsers(decoded(guildScope(9n)), state, interested)).toEqual([1n, 2n, 3n]);
  });

  it('shows nothing of a guild whose state is unknown', () => {
    expect(visibleUsers(decoded(guildScope(9n)), undefined, interested)).toEqual([]);
  });

  it('narrows to only_user_ids', () => {
    expect(visibleUsers(decoded(guildScope(9n), { onlyUserIds: new Set([2n, 4n]) }), state, interested)).toEqual([2n]);
  });

  it("shows a user-scope event to that user alone, whatever the guild state says", () => {
    expect(visibleUsers(decoded(userScope(5n)), undefined, new Set([5n]))).toEqual([5n]);
  });

  it('encodes the visibility with the fewest ids', () => {
    const four = new Set([1n, 2n, 3n, 4n]);
    expect(encodeVisibility([1n, 2n, 3n, 4n], four)).toEqual({ case: 'allUsers', value: true });
    expect(encodeVisibility([2n], four)).toEqual({ case: 'onlyUsers', value: { ids: ['2'] } });
    expect(encodeVisibility([1n, 2n], four)).toEqual({ case: 'onlyUsers', value: { ids: ['1', '2'] } });
    expect(encodeVisibility([1n, 3n, 4n], four)).toEqual({ case: 'exceptUsers', value: { ids: ['2'] } });
    expect(encodeVisibility([], four)).toBeUndefined();
  });
});
