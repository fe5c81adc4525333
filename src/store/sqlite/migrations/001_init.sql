-- 001: keys, requests with their leases, log lines and files.
-- Times are integer milliseconds since the epoch, written by the program (never by SQL's clock).

CREATE TABLE api_keys (
  id          TEXT PRIMARY KEY,
  user_id     TEXT NOT NULL,
  secret_hash TEXT NOT NULL,
  label       TEXT,
  created_at  INTEGER NOT NULL,
  revoked_at  INTEGER
);

CREATE TABLE requests (
  seq              INTEGER PRIMARY KEY AUTOINCREMENT,
  id               TEXT NOT NULL UNIQUE,
  endpoint_id      TEXT NOT NULL,
  app              TEXT NOT NULL,
  owner            TEXT NOT NULL,
  state            TEXT NOT NULL CHECK (state IN ('queued', 'running', 'succeeded', 'failed', 'cancelled', 'expired')),
  priority         INTEGER NOT NULL DEFAULT 0, -- 0 normal, 1 low: low waits behind every normal
  input            TEXT NOT NULL,
  webhook_url      TEXT,
  attempts         INTEGER NOT NULL DEFAULT 0,
  max_attempts     INTEGER NOT NULL,
  lease_owner      TEXT,
  lease_token      TEXT,
  lease_expires_at INTEGER,
  cancel_requested INTEGER NOT NULL DEFAULT 0,
  result           TEXT,
  failure          TEXT,
  created_at       INTEGER NOT NULL,
  started_at       INTEGER,
  finished_at      INTEGER
);
CREATE INDEX requests_queue ON requests (priority, seq) WHERE state = 'queued';
CREATE INDEX requests_leases ON requests (lease_expires_at) WHERE state = 'running';

CREATE TABLE request_logs (
  id         INTEGER PRIMARY KEY AUTOINCREMENT,
  request_id TEXT NOT NULL,
  level      TEXT NOT NULL,
  source     TEXT NOT NULL,
  message    TEXT NOT NULL,
  timestamp  TEXT NOT NULL
);
CREATE INDEX request_logs_request ON request_logs (request_id, id);

CREATE TABLE files (
  id                TEXT PRIMARY KEY,
  token             TEXT NOT NULL UNIQUE,
  owner             TEXT NOT NULL,
  request_id        TEXT,
  blob_key          TEXT NOT NULL,
  content_type      TEXT NOT NULL,
  file_name         TEXT NOT NULL,
  size              INTEGER,
  state             TEXT NOT NULL CHECK (state IN ('pending', 'ready')),
  upload_token_hash TEXT UNIQUE,
  upload_expires_at INTEGER,
  created_at        INTEGER NOT NULL
);
CREATE INDEX files_request ON files (request_id) WHERE request_id IS NOT NULL;
