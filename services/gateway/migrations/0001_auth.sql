-- Gateway authentication state, one row per user that was ever revoked or granted something
-- (absent row = no revocation, no privileged intents). Read on every IDENTIFY through a short-TTL
-- cache (auth/caching-auth-store.ts), written by the admin gRPC API.
--   tokens_valid_after: unix seconds; tokens whose issued-at is before it are refused. Only moves
--     forward (revocation is "everything issued up to now").
--   privileged_intents: bitmask of granted privileged intents (GUILD_MEMBERS, GUILD_PRESENCES,
--     MESSAGE_CONTENT); set, not OR-ed, by GrantPrivilegedIntents.
-- Session-start budgets are not here: they are per instance, in memory (limits/session-start-limit.ts).
CREATE TABLE gateway_user_auth (
  user_id             BIGINT PRIMARY KEY,
  tokens_valid_after  BIGINT NOT NULL DEFAULT 0 CHECK (tokens_valid_after >= 0),
  privileged_intents  INTEGER NOT NULL DEFAULT 0 CHECK (privileged_intents >= 0),
  updated_at          TIMESTAMPTZ NOT NULL DEFAULT now()
);
