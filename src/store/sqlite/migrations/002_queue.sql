-- 002: start deadlines, idempotent submits, progress and previews, webhook outbox, retention,
-- and the server's webhook signing keys.

ALTER TABLE requests ADD COLUMN deadline_at INTEGER;         -- must have started by then (x-fal-request-timeout)
ALTER TABLE requests ADD COLUMN idempotency_key TEXT;
ALTER TABLE requests ADD COLUMN progress TEXT;               -- JSON {fraction, stage, eta_seconds}, while running
ALTER TABLE requests ADD COLUMN preview_token TEXT;          -- capability of the current preview frame
ALTER TABLE requests ADD COLUMN webhook_state TEXT CHECK (webhook_state IN ('pending', 'delivered', 'failed'));
ALTER TABLE requests ADD COLUMN webhook_attempts INTEGER NOT NULL DEFAULT 0;
ALTER TABLE requests ADD COLUMN webhook_next_at INTEGER;
ALTER TABLE requests ADD COLUMN webhook_lease_until INTEGER;
ALTER TABLE requests ADD COLUMN purged_at INTEGER;            -- payloads deleted after the retention period
ALTER TABLE requests ADD COLUMN output_lifetime_ms INTEGER;   -- x-fal-object-lifecycle-preference: how long outputs live

CREATE UNIQUE INDEX requests_idempotency ON requests (owner, idempotency_key) WHERE idempotency_key IS NOT NULL;
CREATE INDEX requests_deadline ON requests (deadline_at) WHERE state = 'queued' AND deadline_at IS NOT NULL;
CREATE INDEX requests_webhooks ON requests (webhook_next_at) WHERE webhook_state = 'pending';
CREATE INDEX requests_finished ON requests (finished_at) WHERE purged_at IS NULL AND finished_at IS NOT NULL;
CREATE UNIQUE INDEX requests_preview ON requests (preview_token) WHERE preview_token IS NOT NULL;

CREATE TABLE webhook_attempts (
  id          INTEGER PRIMARY KEY AUTOINCREMENT,
  request_id  TEXT NOT NULL,
  attempt     INTEGER NOT NULL,
  at          INTEGER NOT NULL,
  status_code INTEGER,          -- null when no HTTP answer came
  error       TEXT,
  duration_ms INTEGER NOT NULL
);
CREATE INDEX webhook_attempts_request ON webhook_attempts (request_id, id);

CREATE TABLE signing_keys (
  kid         TEXT PRIMARY KEY,
  private_pem TEXT NOT NULL,
  public_jwk  TEXT NOT NULL,
  created_at  INTEGER NOT NULL
);
