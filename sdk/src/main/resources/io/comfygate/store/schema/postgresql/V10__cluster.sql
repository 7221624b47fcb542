-- ComfyGate store on PostgreSQL, version 10: several instances on one database.
-- Each instance's row, refreshed by its heartbeat (times are the database's clock, epoch ms).
CREATE TABLE instances (
  id           TEXT   NOT NULL PRIMARY KEY,
  host         TEXT   NOT NULL,
  version      TEXT   NOT NULL,
  started_at   BIGINT NOT NULL,
  heartbeat_at BIGINT NOT NULL,
  stopped_at   BIGINT
);
-- Leases held by one instance at a time: 'dispatcher' drives every ComfyUI backend. fence grows
-- by one at each new holder; a dispatch write checks holder and fence in its own transaction.
CREATE TABLE leases (
  name       TEXT   NOT NULL PRIMARY KEY,
  holder     TEXT,
  fence      BIGINT NOT NULL,
  expires_at BIGINT NOT NULL
);
INSERT INTO leases (name, holder, fence, expires_at) VALUES ('dispatcher', NULL, 0, 0);
-- Every change of a job, in commit order (seq is taken under a lock held to the commit), written
-- in the change's own transaction: what the other instances follow. Trimmed by age.
CREATE TABLE job_changes (
  seq    BIGSERIAL NOT NULL PRIMARY KEY,
  job_id TEXT      NOT NULL,
  kind   TEXT      NOT NULL,
  detail TEXT,
  origin TEXT      NOT NULL,
  at     BIGINT    NOT NULL
);
CREATE INDEX job_changes_at ON job_changes (at);
