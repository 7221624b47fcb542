-- ComfyGate store on PostgreSQL, version 9: webhook deliveries claimed by one instance at a time.
--
-- Several ComfyGate instances may send webhooks from one database. Before sending an event a
-- deliverer claims it (claimed_by = its owner id, claimed_until = the end of its lease): it selects
-- the events with FOR UPDATE SKIP LOCKED, so two deliverers claiming at once pass each other's rows
-- by instead of waiting or taking the same one, and sets both columns in the same transaction. It
-- records the attempt only while the claim is still its own, and the attempt ends the claim. A claim
-- whose lease has passed (its instance died) is taken over by another. Only the oldest pending
-- event of a job can be claimed, and not while another event of the job is claimed, so a job's
-- events still go out one at a time, in order. Both are NULL when nobody holds the event.

ALTER TABLE webhook_events ADD COLUMN claimed_by TEXT;
ALTER TABLE webhook_events ADD COLUMN claimed_until BIGINT;
