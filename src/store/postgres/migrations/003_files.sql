-- 003: file lifetimes (fal's object lifecycle), multipart uploads and the file sweeper (SQLite's
-- 003). SQLite's back-fill of expires_at is left out: no PostgreSQL store predates this migration.

ALTER TABLE files
  ADD COLUMN expires_at  bigint,   -- set once the bytes are stored; the sweeper deletes the file after it
  ADD COLUMN lifetime_ms bigint,   -- a pending upload's X-Fal-Object-Lifecycle; null: the default retention
  ADD COLUMN upload_kind text CHECK (upload_kind IN ('single', 'multipart')),
  ADD COLUMN upload_id   text;     -- the blob store's id of a multipart upload

CREATE INDEX files_expiry ON files (expires_at) WHERE state = 'ready';
CREATE INDEX files_abandoned ON files (upload_expires_at) WHERE state = 'pending';
