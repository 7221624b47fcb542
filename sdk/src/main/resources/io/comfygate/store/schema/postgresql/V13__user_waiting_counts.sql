-- ComfyGate store on PostgreSQL, version 13: each user's count of waiting jobs, kept by the
-- database (see ../V13__user_waiting_counts.sql). Admissions of one user already queue on their
-- advisory lock, so the user's row is written by one admission at a time; a hand-over that takes a
-- job out of the waiting room waits for the row only while an admission of the same user commits.
CREATE TABLE user_waiting (
  user_id TEXT    NOT NULL PRIMARY KEY,
  waiting INTEGER NOT NULL
);

INSERT INTO user_waiting (user_id, waiting)
SELECT user_id, COUNT(*) FROM jobs WHERE state = 'queued' AND backend IS NULL GROUP BY user_id;

CREATE FUNCTION user_waiting_up() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN
  INSERT INTO user_waiting (user_id, waiting) VALUES (NEW.user_id, 1) ON CONFLICT (user_id) DO UPDATE SET waiting = user_waiting.waiting + 1; RETURN NULL; END $$;

CREATE FUNCTION user_waiting_down() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN
  UPDATE user_waiting SET waiting = waiting - 1 WHERE user_id = OLD.user_id; RETURN NULL; END $$;

CREATE TRIGGER jobs_waiting_insert AFTER INSERT ON jobs FOR EACH ROW
  WHEN (NEW.state = 'queued' AND NEW.backend IS NULL)
  EXECUTE FUNCTION user_waiting_up();

CREATE TRIGGER jobs_waiting_enter AFTER UPDATE OF state, backend ON jobs FOR EACH ROW
  WHEN (NEW.state = 'queued' AND NEW.backend IS NULL AND NOT (OLD.state = 'queued' AND OLD.backend IS NULL))
  EXECUTE FUNCTION user_waiting_up();

CREATE TRIGGER jobs_waiting_leave AFTER UPDATE OF state, backend ON jobs FOR EACH ROW
  WHEN (OLD.state = 'queued' AND OLD.backend IS NULL AND NOT (NEW.state = 'queued' AND NEW.backend IS NULL))
  EXECUTE FUNCTION user_waiting_down();

CREATE TRIGGER jobs_waiting_delete AFTER DELETE ON jobs FOR EACH ROW
  WHEN (OLD.state = 'queued' AND OLD.backend IS NULL)
  EXECUTE FUNCTION user_waiting_down();
