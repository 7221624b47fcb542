-- ComfyGate store on PostgreSQL, version 5: idempotency keys of job submissions.
--
-- A caller that sends the same Idempotency-Key again within the retention window gets the job its
-- first request created instead of a second one. Keys are scoped per user: one row per (user, key),
-- and that primary key makes a concurrent second insert fail instead of creating a second job.
-- (Submits of one user also queue on an advisory lock in the insert's transaction: see Dialect.)
-- request_hash is a SHA-256 over the canonical request (template and params): the same key with a
-- different request is refused. Rows older than the retention window are purged; the jobs stay.

CREATE TABLE idempotency_keys (
  user_id      TEXT    NOT NULL,
  idem_key     TEXT    NOT NULL,
  request_hash TEXT    NOT NULL,
  job_id       TEXT    NOT NULL REFERENCES jobs (id),
  created_at   BIGINT  NOT NULL,
  PRIMARY KEY (user_id, idem_key)
);

-- Purging expired keys.
CREATE INDEX idempotency_keys_created ON idempotency_keys (created_at);
