-- ComfyGate store on PostgreSQL, version 8.
-- A submit reads its user's waiting jobs (queued, not handed to a backend) inside the insert's
-- transaction to apply the per-user waiting limit: this index answers that without reading rows.
-- It starts with the columns of jobs_user_state, which it replaces.
CREATE INDEX jobs_user_waiting ON jobs (user_id, state, backend, id);
DROP INDEX jobs_user_state;
