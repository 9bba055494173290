-- Each guild instance takes the next value at start and uses it (mod 1024) as the 10 worker and
-- process bits of the snowflakes it mints, so concurrently running instances never share them
-- (a clash needs an instance to outlive 1,023 later starts).
CREATE SEQUENCE guild_snowflake_workers;
