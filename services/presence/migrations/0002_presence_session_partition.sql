-- The session topic partition each row came from: on a gateway's lease expiry every presence
-- instance deletes that gateway's rows of the partitions it owns (and only those, so the owner of
-- the other partitions updates its own users' in-memory state and announces their change).
-- Rows written before this column existed get -1: lease expiry does not reach them until their
-- gateway's next event for the session rewrites them with the partition.
ALTER TABLE presence_sessions ADD COLUMN partition INTEGER NOT NULL DEFAULT -1;

CREATE INDEX presence_sessions_gateway_partition ON presence_sessions (gateway_instance_id, partition);
DROP INDEX presence_sessions_gateway;
