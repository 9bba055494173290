-- Test-only schema for the database contract test of the shared runtime: one table with the column
-- types the services rely on (snowflake ids, jsonb, timestamptz, text[]) and a unique constraint.
CREATE TABLE widgets (
  id         bigint PRIMARY KEY,            -- a snowflake
  owner_id   bigint NOT NULL,
  name       text NOT NULL,
  attributes jsonb NOT NULL DEFAULT '{}'::jsonb,
  tags       text[] NOT NULL DEFAULT '{}',
  created_at timestamptz NOT NULL DEFAULT now(),
  note       text,
  CONSTRAINT widgets_owner_name_key UNIQUE (owner_id, name)
);
