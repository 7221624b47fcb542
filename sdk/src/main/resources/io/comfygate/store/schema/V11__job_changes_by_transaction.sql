-- Version 11: the writing transaction of each job change (read by the PostgreSQL feed). SQLite has
-- one instance by construction and never reads it; the column keeps both schemas alike.
ALTER TABLE job_changes ADD COLUMN tx INTEGER;
