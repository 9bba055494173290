-- When each user's revocation cutoff last moved, so every gateway instance can find the cutoffs
-- changed since its last poll (auth/revocation-sweeper.ts) with one indexed range query per poll
-- period, and close the live sessions those cutoffs revoke.
--   revoked_at: set by RevokeTokens when tokens_valid_after moves forward; NULL for a user never
--     revoked (rows created by GrantPrivilegedIntents alone). Not updated_at: grants bump that too.
ALTER TABLE gateway_user_auth ADD COLUMN revoked_at TIMESTAMPTZ;
UPDATE gateway_user_auth SET revoked_at = updated_at WHERE tokens_valid_after > 0;
CREATE INDEX gateway_user_auth_revoked_at ON gateway_user_auth (revoked_at) WHERE revoked_at IS NOT NULL;
