-- ComfyGate store on PostgreSQL, version 7: a webhook event sent again keeps the time it happened.
--
-- Sending an event again gives it a fresh retry window. The window's start used to be written over
-- created_at, so the admin's list showed the time of the resend as the time of the event. The
-- start now has a column of its own; for the events already stored it is their created_at.

ALTER TABLE webhook_events ADD COLUMN retry_from BIGINT NOT NULL DEFAULT 0;
UPDATE webhook_events SET retry_from = created_at;
