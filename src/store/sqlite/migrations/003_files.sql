-- 003: file lifetimes (fal's object lifecycle), multipart uploads and the file sweeper.

ALTER TABLE files ADD COLUMN expires_at INTEGER;        -- set once the bytes are stored; the sweeper deletes the file after it
ALTER TABLE files ADD COLUMN lifetime_ms INTEGER;       -- a pending upload's X-Fal-Object-Lifecycle; null: the default retention
ALTER TABLE files ADD COLUMN upload_kind TEXT CHECK (upload_kind IN ('single', 'multipart'));
ALTER TABLE files ADD COLUMN upload_id TEXT;            -- the blob store's id of a multipart upload

-- Files made before this migration keep the retention of the day they were made.
UPDATE files SET expires_at = created_at + 30 * 86400000 WHERE state = 'ready' AND expires_at IS NULL;

CREATE INDEX files_expiry ON files (expires_at) WHERE state = 'ready';
CREATE INDEX files_abandoned ON files (upload_expires_at) WHERE state = 'pending';
