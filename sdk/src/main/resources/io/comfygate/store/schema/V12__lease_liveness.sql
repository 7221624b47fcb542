-- Version 12: the lease's liveness columns of PostgreSQL (see postgresql/V12__lease_liveness.sql).
-- SQLite has one instance by construction and never uses them; they exist so that both databases
-- have the same schema.
ALTER TABLE leases ADD COLUMN renewed_at INTEGER;
ALTER TABLE leases ADD COLUMN renewed_fence INTEGER;
ALTER TABLE leases ADD COLUMN send_window INTEGER;
