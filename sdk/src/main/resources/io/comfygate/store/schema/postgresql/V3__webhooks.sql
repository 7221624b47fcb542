-- ComfyGate store on PostgreSQL, version 3: webhooks for external systems.
--
-- Each API key gets a signing secret (kept in clear: it must sign, so it cannot be hashed; shown
-- once when issued, never logged) and an optional default callback URL. Keys issued before this
-- version get a fresh random secret here; an administrator rotates it to learn it. Two UUIDs
-- (gen_random_uuid, PostgreSQL 13+, from the server's strong random source) stand in for SQLite's
-- randomblob(32): 64 hex digits, as ApiKeys makes them.

ALTER TABLE api_keys ADD COLUMN webhook_url TEXT;
ALTER TABLE api_keys ADD COLUMN webhook_secret TEXT;
UPDATE api_keys SET webhook_secret = 'whsec_' || replace(gen_random_uuid()::text || gen_random_uuid()::text, '-', '')
 WHERE webhook_secret IS NULL;

-- Where a job's events go, and which key signs them; written with the job itself.
CREATE TABLE job_webhooks (
  job_id      TEXT    NOT NULL PRIMARY KEY REFERENCES jobs (id),
  url         TEXT    NOT NULL,
  key_id      TEXT    NOT NULL
);

-- The durable outbox: one row per event, written in the transaction of the job's state change.
-- seq orders the events of a job; a job's next event is sent only when the previous one is no
-- longer pending (delivered or given up). An identity column stands in for SQLite's AUTOINCREMENT:
-- never given by the application, never reused.
CREATE TABLE webhook_events (
  seq             BIGINT  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  event_id        TEXT    NOT NULL UNIQUE,
  job_id          TEXT    NOT NULL,
  type            TEXT    NOT NULL,
  url             TEXT    NOT NULL,
  key_id          TEXT    NOT NULL,
  payload         TEXT    NOT NULL,
  state           TEXT    NOT NULL CHECK (state IN ('pending', 'delivered', 'failed')),
  attempts        INTEGER NOT NULL DEFAULT 0,
  next_attempt_at BIGINT  NOT NULL,
  last_status     INTEGER,
  last_error      TEXT,
  created_at      BIGINT  NOT NULL,
  delivered_at    BIGINT
);

-- The head of each job's pending events (the deliverer's query) and the admin's filters.
CREATE INDEX webhook_events_pending ON webhook_events (state, job_id, seq);
CREATE INDEX webhook_events_job ON webhook_events (job_id, seq);
