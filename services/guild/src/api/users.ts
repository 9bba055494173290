// UpsertUser: the profile shown in member objects and message authors.
import type { guildV1 } from '@switchboard/proto';
import { InvalidArgumentError } from '@switchboard/runtime';
import { toUser } from './proto-objects';
import type { UserRow } from './rows';
import { upsertUser } from './store';
import * as v from './validate';
import type { GuildApiDeps } from './write-path';

/** Validates a User message as a full profile (`field` is its path in the request). */
export function userInput(user: guildV1.User | undefined, field: string): UserRow {
  if (!user) throw new InvalidArgumentError(field, 'is required');
  return {
    id: v.snowflake(user.id, `${field}.id`),
    username: v.name(user.username, `${field}.username`, 32),
    global_name: user.globalName === '' ? null : v.name(user.globalName, `${field}.global_name`, 32),
    avatar: user.avatar === '' ? null : v.maxLength(user.avatar, `${field}.avatar`, 256),
    bot: user.bot,
  };
}

export function userHandlers(deps: GuildApiDeps) {
  return {
    // Profiles are not guild state: no event (members' next payloads carry the new profile).
    async upsertUser(request: guildV1.UpsertUserRequest) {
      const user = userInput(request.user, 'user');
      return { user: toUser(await upsertUser(deps.database, user)) };
    },
  };
}
