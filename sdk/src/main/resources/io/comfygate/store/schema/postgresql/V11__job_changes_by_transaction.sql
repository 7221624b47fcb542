-- Version 11: the job-change feed is read by transaction instead of being numbered under one lock
-- held to each commit (which made every write of every instance wait for the previous commit).
-- tx is the writing transaction's id; a reader takes every change it can see that it has not
-- taken yet, and knows that nothing new can appear below its snapshot's oldest running transaction.
ALTER TABLE job_changes ADD COLUMN tx xid8 NOT NULL DEFAULT pg_current_xact_id();
CREATE INDEX job_changes_tx ON job_changes (tx);
