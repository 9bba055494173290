-- The push device registry (issue 6 builds the service around it): a user's device tokens per
-- provider and app. A token is unique per (platform, app): re-registering moves it to the new user.
CREATE TABLE devices (
  platform       TEXT NOT NULL CHECK (platform IN ('fcm', 'apns')),
  app_id         TEXT NOT NULL,
  token          TEXT NOT NULL,
  user_id        BIGINT NOT NULL,
  locale         TEXT,
  registered_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
  updated_at     TIMESTAMPTZ NOT NULL DEFAULT now(),
  PRIMARY KEY (platform, app_id, token)
);
CREATE INDEX devices_user ON devices (user_id);
