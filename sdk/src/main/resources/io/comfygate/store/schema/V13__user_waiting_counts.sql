-- ComfyGate store, version 13: each user's count of waiting jobs, kept by the database.
--
-- A submit applies the per-user waiting limit inside its insert's transaction. Counting the user's
-- waiting jobs (queued, not handed to a backend) in the index cost time in proportion to how many
-- wait; this table holds the count, and the triggers below keep it in step with every insert,
-- update and delete of a job, in the same transaction, whatever code writes the row. A user whose
-- jobs all left the waiting room keeps a row with 0.
CREATE TABLE user_waiting (
  user_id TEXT    NOT NULL PRIMARY KEY,
  waiting INTEGER NOT NULL
) WITHOUT ROWID;

INSERT INTO user_waiting (user_id, waiting)
SELECT user_id, COUNT(*) FROM jobs WHERE state = 'queued' AND backend IS NULL GROUP BY user_id;

CREATE TRIGGER jobs_waiting_insert AFTER INSERT ON jobs
  WHEN NEW.state = 'queued' AND NEW.backend IS NULL
BEGIN
  INSERT INTO user_waiting (user_id, waiting) VALUES (NEW.user_id, 1) ON CONFLICT (user_id) DO UPDATE SET waiting = waiting + 1; END;

CREATE TRIGGER jobs_waiting_enter AFTER UPDATE OF state, backend ON jobs
  WHEN NEW.state = 'queued' AND NEW.backend IS NULL AND NOT (OLD.state = 'queued' AND OLD.backend IS NULL)
BEGIN
  INSERT INTO user_waiting (user_id, waiting) VALUES (NEW.user_id, 1) ON CONFLICT (user_id) DO UPDATE SET waiting = waiting + 1; END;

CREATE TRIGGER jobs_waiting_leave AFTER UPDATE OF state, backend ON jobs
  WHEN OLD.state = 'queued' AND OLD.backend IS NULL AND NOT (NEW.state = 'queued' AND NEW.backend IS NULL)
BEGIN
  UPDATE user_waiting SET waiting = waiting - 1 WHERE user_id = OLD.user_id; END;

CREATE TRIGGER jobs_waiting_delete AFTER DELETE ON jobs
  WHEN OLD.state = 'queued' AND OLD.backend IS NULL
BEGIN
  UPDATE user_waiting SET waiting = waiting - 1 WHERE user_id = OLD.user_id; END;
