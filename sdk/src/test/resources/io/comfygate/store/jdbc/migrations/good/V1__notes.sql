-- First version of a test schema.
CREATE TABLE notes (
  id   INTEGER NOT NULL PRIMARY KEY,
  text TEXT    NOT NULL
);
INSERT INTO notes (id, text) VALUES (1, 'from V1');
