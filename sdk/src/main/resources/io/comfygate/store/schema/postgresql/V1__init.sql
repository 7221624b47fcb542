-- ComfyGate store on PostgreSQL, version 1: jobs and their output images. The same tables,
-- columns and meaning as the SQLite schema of the same version (one folder up); only what SQLite
-- spells differently is spelled for PostgreSQL here.
--
-- Instants are BIGINT epoch milliseconds (UTC), as in SQLite: the same binds and row mapping on
-- both databases. Params are JSON text, stored verbatim.
-- Each statement ends with a semicolon at the end of a line; the migration runner splits on that.

CREATE TABLE jobs (
  id          TEXT    NOT NULL PRIMARY KEY,
  user_id     TEXT    NOT NULL,
  template    TEXT    NOT NULL,
  params      TEXT    NOT NULL,
  state       TEXT    NOT NULL
              CHECK (state IN ('queued', 'running', 'succeeded', 'failed', 'timeout', 'cancelled')),
  backend     TEXT,
  prompt_id   TEXT    NOT NULL,
  created_at  BIGINT  NOT NULL,
  started_at  BIGINT,
  finished_at BIGINT,
  error       TEXT
);

-- A user's job list, newest first.
CREATE INDEX jobs_user_created ON jobs (user_id, created_at, id);
-- Active jobs oldest first (restart recovery, dispatch order) and per-user active counts.
CREATE INDEX jobs_state_created ON jobs (state, created_at, id);
CREATE INDEX jobs_user_state ON jobs (user_id, state);
-- Recent run times of a template, for the ETA.
CREATE INDEX jobs_template_finished ON jobs (template, state, finished_at);

CREATE TABLE images (
  id          TEXT    NOT NULL PRIMARY KEY,
  job_id      TEXT    NOT NULL REFERENCES jobs (id),
  user_id     TEXT    NOT NULL,
  file        TEXT    NOT NULL,
  width       INTEGER NOT NULL CHECK (width > 0),
  height      INTEGER NOT NULL CHECK (height > 0),
  size_bytes  BIGINT  NOT NULL CHECK (size_bytes >= 0),
  template    TEXT    NOT NULL,
  params      TEXT    NOT NULL,
  created_at  BIGINT  NOT NULL,
  deleted_at  BIGINT
);

-- Gallery and trash of one user (and admin queries filtered by user): equality on user_id and
-- deleted_at IS NULL, then already in created_at order, so page 1 of 1 M rows reads one page.
CREATE INDEX images_gallery ON images (user_id, deleted_at, created_at, id);
-- Admin queries across users: active or trashed in creation order, and trash walked by deletion
-- time for purging.
CREATE INDEX images_deleted_created ON images (deleted_at, created_at, id);
-- Admin queries across users regardless of trash status (include=all), with a date range.
CREATE INDEX images_created ON images (created_at, id);
-- The images of a job (the job view; foreign key checks).
CREATE INDEX images_job ON images (job_id);
