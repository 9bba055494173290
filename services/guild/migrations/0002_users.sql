-- User profiles as shown in member objects and message authors. The guild service does not own
-- accounts (the product does); it keeps what dispatch payloads need, upserted by the product API.
CREATE TABLE users (
  id           BIGINT PRIMARY KEY,
  username     TEXT NOT NULL,
  global_name  TEXT,
  avatar       TEXT,
  bot          BOOLEAN NOT NULL DEFAULT false
);

-- Member searches (REQUEST_GUILD_MEMBERS `query`) go by username prefix, case-insensitively.
CREATE INDEX users_username_lower ON users (lower(username) text_pattern_ops);
