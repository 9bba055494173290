-- Several statements in one migration, applied together or not at all.
ALTER TABLE widgets ADD COLUMN part_ids bigint[];

CREATE TABLE widget_counters (
  name  text PRIMARY KEY,
  value bigint NOT NULL DEFAULT 0
);
INSERT INTO widget_counters (name, value) VALUES ('shared', 0);
