-- ComfyGate store on PostgreSQL, version 6: the admin's paged list of webhook deliveries.
--
-- Filtered by state alone it reads newest first (seq descending) straight off this index and counts
-- from it, instead of sorting every delivered event of the table for each page. The other filters
-- have theirs already: job alone (webhook_events_job) and state with job (webhook_events_pending).

CREATE INDEX webhook_events_state ON webhook_events (state, seq);
