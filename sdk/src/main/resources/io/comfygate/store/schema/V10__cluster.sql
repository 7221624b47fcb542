-- Version 10: the tables of several instances on one database. SQLite has one instance by
-- construction and never uses them; they exist so that both databases have the same schema.
CREATE TABLE instances (
  id           TEXT    NOT NULL PRIMARY KEY,
  host         TEXT    NOT NULL,
  version      TEXT    NOT NULL,
  started_at   INTEGER NOT NULL,
  heartbeat_at INTEGER NOT NULL,
  stopped_at   INTEGER
);
CREATE TABLE leases (
  name       TEXT    NOT NULL PRIMARY KEY,
  holder     TEXT,
  fence      INTEGER NOT NULL,
  expires_at INTEGER NOT NULL
);
INSERT INTO leases (name, holder, fence, expires_at) VALUES ('dispatcher', NULL, 0, 0);
CREATE TABLE job_changes (
  seq    INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
  job_id TEXT    NOT NULL,
  kind   TEXT    NOT NULL,
  detail TEXT,
  origin TEXT    NOT NULL,
  at     INTEGER NOT NULL
);
CREATE INDEX job_changes_at ON job_changes (at);
