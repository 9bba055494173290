-- The announcement outbox. An owner records a change of a user's aggregated presence here
-- (pending, with the session topic partition of the user) before the session event's offset
-- commits, and hands it to the coalescer, which publishes a window of changes to the guild service
-- and then clears `pending` of the revisions it delivered. Whoever owns the partition next (or the
-- same instance after a restart) publishes every row still pending: a change the owner took is
-- delivered at least once, even when the process died inside a coalescing window.
-- An offline user keeps a row while its offline change is pending; a delivered offline row goes.
ALTER TABLE presence_announced ADD COLUMN pending BOOLEAN NOT NULL DEFAULT false;
ALTER TABLE presence_announced ADD COLUMN partition INTEGER NOT NULL DEFAULT -1;
-- Bumped by every change: clearing `pending` names the revision delivered, so a newer change
-- recorded meanwhile stays pending.
ALTER TABLE presence_announced ADD COLUMN revision BIGINT NOT NULL DEFAULT 0;
CREATE INDEX presence_announced_pending ON presence_announced (partition) WHERE pending;
