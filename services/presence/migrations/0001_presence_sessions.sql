-- One row per live gateway session: the durable half of a user's presence. The owner of the
-- user's partition writes it before committing the event's offset, so whoever owns the partition
-- next rebuilds the user from here; GetPresences (any instance) aggregates these rows.
CREATE TABLE presence_sessions (
  user_id              BIGINT NOT NULL,
  session_id           TEXT NOT NULL,
  -- The gateway holding the session: a disconnect from another gateway (the session resumed
  -- elsewhere) must not delete it, and an expired gateway lease removes exactly its rows.
  gateway_instance_id  TEXT NOT NULL,
  platform             TEXT NOT NULL CHECK (platform IN ('desktop', 'mobile', 'web')),
  status               TEXT NOT NULL CHECK (status IN ('online', 'dnd', 'idle', 'invisible', 'offline')),
  activities           JSONB NOT NULL DEFAULT '[]',
  since                BIGINT NOT NULL DEFAULT 0,
  afk                  BOOLEAN NOT NULL DEFAULT false,
  updated_at           TIMESTAMPTZ NOT NULL,
  PRIMARY KEY (user_id, session_id)
);

-- Lease expiry (a dead gateway's sessions go offline) finds rows by gateway.
CREATE INDEX presence_sessions_gateway ON presence_sessions (gateway_instance_id);

-- The last aggregated presence handed to the change sink, per user who is not offline (no row =
-- offline). The baseline for "did it change": written only after the sink accepted a change, so
-- an owner that died between writing the sessions and announcing the change leaves the old
-- baseline behind and its successor announces the change on redelivery instead of losing it.
CREATE TABLE presence_announced (
  user_id        BIGINT PRIMARY KEY,
  status         TEXT NOT NULL,
  activities     JSONB NOT NULL DEFAULT '[]',
  client_status  JSONB NOT NULL DEFAULT '{}',
  since          BIGINT NOT NULL DEFAULT 0,
  afk            BOOLEAN NOT NULL DEFAULT false
);
