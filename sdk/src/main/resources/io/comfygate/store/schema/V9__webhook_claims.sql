-- ComfyGate store, version 9: webhook deliveries claimed by one instance at a time.
--
-- Several ComfyGate instances may send webhooks from one database. Before sending an event a
-- deliverer claims it (claimed_by = its owner id, claimed_until = the end of its lease) in one
-- statement; it records the attempt only while the claim is still its own, and the attempt ends
-- the claim. A claim whose lease has passed (its instance died) is taken over by another. Only the
-- oldest pending event of a job can be claimed, and not while another event of the job is claimed,
-- so a job's events still go out one at a time, in order. Both are NULL when nobody holds the event.

ALTER TABLE webhook_events ADD COLUMN claimed_by TEXT;
ALTER TABLE webhook_events ADD COLUMN claimed_until BIGINT;
