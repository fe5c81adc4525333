-- 002: start deadlines, idempotent submits, progress and previews, webhook outbox, retention,
-- and the server's webhook signing keys (SQLite's 002).

ALTER TABLE requests
  ADD COLUMN deadline_at         bigint,   -- must have started by then (x-fal-request-timeout)
  ADD COLUMN idempotency_key     text,
  ADD COLUMN progress            jsonb,    -- {fraction, stage, etaSeconds}, while running; ours, never a client's
  ADD COLUMN preview_token       text,     -- capability of the current preview frame
  ADD COLUMN webhook_state       text CHECK (webhook_state IN ('pending', 'delivered', 'failed')),
  ADD COLUMN webhook_attempts    integer NOT NULL DEFAULT 0,
  ADD COLUMN webhook_next_at     bigint,
  ADD COLUMN webhook_lease_until bigint,
  ADD COLUMN purged_at           bigint,   -- payloads deleted after the retention period
  ADD COLUMN output_lifetime_ms  bigint;   -- x-fal-object-lifecycle-preference: how long outputs live

CREATE UNIQUE INDEX requests_idempotency ON requests (owner, idempotency_key) WHERE idempotency_key IS NOT NULL;
CREATE INDEX requests_deadline ON requests (deadline_at) WHERE state = 'queued' AND deadline_at IS NOT NULL;
CREATE INDEX requests_webhooks ON requests (webhook_next_at) WHERE webhook_state = 'pending';
CREATE INDEX requests_finished ON requests (finished_at) WHERE purged_at IS NULL AND finished_at IS NOT NULL;
CREATE UNIQUE INDEX requests_preview ON requests (preview_token) WHERE preview_token IS NOT NULL;

CREATE TABLE webhook_attempts (
  id          bigserial PRIMARY KEY,
  request_id  text NOT NULL,
  attempt     integer NOT NULL,
  at          bigint NOT NULL,
  status_code integer,          -- null when no HTTP answer came
  error       text,
  duration_ms integer NOT NULL
);
CREATE INDEX webhook_attempts_request ON webhook_attempts (request_id, id);

CREATE TABLE signing_keys (
  kid         text PRIMARY KEY,
  private_pem text NOT NULL,
  public_jwk  jsonb NOT NULL,
  created_at  bigint NOT NULL
);
