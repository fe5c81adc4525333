-- 001: keys, requests with their leases, log lines and files (SQLite's 001, in PostgreSQL's types).
-- Times are bigint milliseconds since the epoch, written by the program (never by SQL's clock), so
-- both stores agree and tests can fake the clock. Payloads the client sent or gets back (input,
-- result, failure) are `json`, not `jsonb`: kept verbatim (key order as given) and accepting every
-- JSON text the HTTP edge accepted (jsonb refuses \u0000 in strings). Nothing queries inside them.

CREATE TABLE api_keys (
  id          text PRIMARY KEY,
  user_id     text NOT NULL,
  secret_hash text NOT NULL,
  label       text,
  created_at  bigint NOT NULL,
  revoked_at  bigint
);

CREATE TABLE requests (
  seq              bigserial PRIMARY KEY,  -- the queue's order (SQLite's AUTOINCREMENT)
  id               text NOT NULL UNIQUE,
  endpoint_id      text NOT NULL,
  app              text NOT NULL,
  owner            text NOT NULL,
  state            text NOT NULL CHECK (state IN ('queued', 'running', 'succeeded', 'failed', 'cancelled', 'expired')),
  priority         smallint NOT NULL DEFAULT 0, -- 0 normal, 1 low: low waits behind every normal
  input            json NOT NULL,
  webhook_url      text,
  attempts         integer NOT NULL DEFAULT 0,
  max_attempts     integer NOT NULL,
  lease_owner      text,
  lease_token      text,
  lease_expires_at bigint,
  cancel_requested boolean NOT NULL DEFAULT false,
  result           json,
  failure          json,
  created_at       bigint NOT NULL,
  started_at       bigint,
  finished_at      bigint
);
CREATE INDEX requests_queue ON requests (priority, seq) WHERE state = 'queued';
CREATE INDEX requests_leases ON requests (lease_expires_at) WHERE state = 'running';

CREATE TABLE request_logs (
  id         bigserial PRIMARY KEY,
  request_id text NOT NULL,
  level      text NOT NULL,
  source     text NOT NULL,
  message    text NOT NULL,
  timestamp  text NOT NULL  -- ISO 8601 as fal sends it, kept as written
);
CREATE INDEX request_logs_request ON request_logs (request_id, id);

CREATE TABLE files (
  id                text PRIMARY KEY,
  token             text NOT NULL UNIQUE,
  owner             text NOT NULL,
  request_id        text,
  blob_key          text NOT NULL,
  content_type      text NOT NULL,
  file_name         text NOT NULL,
  size              bigint,
  state             text NOT NULL CHECK (state IN ('pending', 'ready')),
  upload_token_hash text UNIQUE,
  upload_expires_at bigint,
  created_at        bigint NOT NULL
);
CREATE INDEX files_request ON files (request_id) WHERE request_id IS NOT NULL;
