-- Guild member counts, kept by triggers: GUILD_CREATE (READY, joins) carries member_count and
-- decides `large` from it, and counting a million-member guild on every READY would be a scan per
-- session. Statement-level triggers with transition tables keep bulk inserts (imports, tests) at
-- one UPDATE per statement and guild. Writers hold the guild's advisory lock, so the row update
-- does not add contention beyond what the write path already serializes.
ALTER TABLE guilds ADD COLUMN member_count INTEGER NOT NULL DEFAULT 0;
UPDATE guilds g SET member_count = (SELECT count(*) FROM members m WHERE m.guild_id = g.id);

CREATE FUNCTION guild_member_count_added() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE guilds g SET member_count = g.member_count + added.n
  FROM (SELECT guild_id, count(*) AS n FROM added_members GROUP BY guild_id) added
  WHERE g.id = added.guild_id;
  RETURN NULL;
END $$;

CREATE FUNCTION guild_member_count_removed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE guilds g SET member_count = g.member_count - removed.n
  FROM (SELECT guild_id, count(*) AS n FROM removed_members GROUP BY guild_id) removed
  WHERE g.id = removed.guild_id;
  RETURN NULL;
END $$;

CREATE TRIGGER members_counted_on_insert AFTER INSERT ON members
  REFERENCING NEW TABLE AS added_members FOR EACH STATEMENT EXECUTE FUNCTION guild_member_count_added();
CREATE TRIGGER members_counted_on_delete AFTER DELETE ON members
  REFERENCING OLD TABLE AS removed_members FOR EACH STATEMENT EXECUTE FUNCTION guild_member_count_removed();
