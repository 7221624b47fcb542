-- ComfyGate store on PostgreSQL, version 2: API keys for external systems.
--
-- Only a SHA-256 hash of each key is stored (keys are 256-bit random tokens, so a fast hash is
-- enough); the plain key is shown once, when it is issued.

CREATE TABLE api_keys (
  id          TEXT    NOT NULL PRIMARY KEY,
  key_hash    TEXT    NOT NULL UNIQUE,
  user_id     TEXT    NOT NULL,
  name        TEXT    NOT NULL,
  admin       INTEGER NOT NULL DEFAULT 0 CHECK (admin IN (0, 1)),
  created_at  BIGINT  NOT NULL,
  revoked_at  BIGINT,
  last_used_at BIGINT
);

CREATE INDEX api_keys_user ON api_keys (user_id, created_at);
