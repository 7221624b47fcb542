-- Needs V1's table: fails if run out of order.
ALTER TABLE notes ADD COLUMN tag TEXT;
UPDATE notes SET tag = 'from V2';
