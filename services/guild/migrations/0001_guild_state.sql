-- Durable guild state (issue 4 builds the service around it). Snowflake ids are BIGINT (they fit
-- in a signed 64-bit column until 2084); permission bitsets are NUMERIC(20) as Discord's go past
-- 2^53 and may one day use bit 63.
CREATE TABLE guilds (
  id          BIGINT PRIMARY KEY,
  name        TEXT NOT NULL,
  owner_id    BIGINT NOT NULL,
  icon        TEXT,
  features    TEXT[] NOT NULL DEFAULT '{}',
  created_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
  deleted_at  TIMESTAMPTZ
);

CREATE TABLE roles (
  id           BIGINT PRIMARY KEY,
  guild_id     BIGINT NOT NULL REFERENCES guilds (id) ON DELETE CASCADE,
  name         TEXT NOT NULL,
  permissions  NUMERIC(20) NOT NULL,
  position     INTEGER NOT NULL DEFAULT 0,
  color        INTEGER NOT NULL DEFAULT 0,
  hoist        BOOLEAN NOT NULL DEFAULT false,
  mentionable  BOOLEAN NOT NULL DEFAULT false
);
CREATE INDEX roles_guild ON roles (guild_id);

-- Channel types follow Discord: 0 text, 1 DM, 3 group DM, 4 category. DM channels have no guild.
CREATE TABLE channels (
  id          BIGINT PRIMARY KEY,
  guild_id    BIGINT REFERENCES guilds (id) ON DELETE CASCADE,
  type        SMALLINT NOT NULL,
  name        TEXT,
  topic       TEXT,
  parent_id   BIGINT,
  position    INTEGER NOT NULL DEFAULT 0,
  nsfw        BOOLEAN NOT NULL DEFAULT false,
  created_at  TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX channels_guild ON channels (guild_id);

-- Overwrite type follows Discord: 0 role, 1 member.
CREATE TABLE permission_overwrites (
  channel_id  BIGINT NOT NULL REFERENCES channels (id) ON DELETE CASCADE,
  target_id   BIGINT NOT NULL,
  type        SMALLINT NOT NULL CHECK (type IN (0, 1)),
  allow       NUMERIC(20) NOT NULL DEFAULT 0,
  deny        NUMERIC(20) NOT NULL DEFAULT 0,
  PRIMARY KEY (channel_id, target_id)
);

CREATE TABLE members (
  guild_id   BIGINT NOT NULL REFERENCES guilds (id) ON DELETE CASCADE,
  user_id    BIGINT NOT NULL,
  nick       TEXT,
  role_ids   BIGINT[] NOT NULL DEFAULT '{}',
  joined_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
  communication_disabled_until TIMESTAMPTZ,
  PRIMARY KEY (guild_id, user_id)
);
CREATE INDEX members_user ON members (user_id);

-- Recipients of DM and group DM channels.
CREATE TABLE channel_recipients (
  channel_id  BIGINT NOT NULL REFERENCES channels (id) ON DELETE CASCADE,
  user_id     BIGINT NOT NULL,
  PRIMARY KEY (channel_id, user_id)
);
CREATE INDEX channel_recipients_user ON channel_recipients (user_id);
