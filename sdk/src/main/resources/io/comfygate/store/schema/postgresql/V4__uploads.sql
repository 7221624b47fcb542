-- ComfyGate store on PostgreSQL, version 4: input images uploaded for img2img templates.
--
-- The file is named by the upload id (never by a name from the request), relative to the upload
-- folder. Rows and files older than UPLOAD_RETENTION_HOURS are removed by a sweep.

CREATE TABLE uploads (
  id           TEXT    NOT NULL PRIMARY KEY,
  user_id      TEXT    NOT NULL,
  content_type TEXT    NOT NULL,
  width        INTEGER NOT NULL CHECK (width > 0),
  height       INTEGER NOT NULL CHECK (height > 0),
  size_bytes   BIGINT  NOT NULL CHECK (size_bytes > 0),
  file         TEXT    NOT NULL,
  created_at   BIGINT  NOT NULL
);

-- The retention sweep walks uploads oldest first.
CREATE INDEX uploads_created ON uploads (created_at, id);
