// The request lifecycle's named queries, one header comment each. Transitions into a final state
// share FINISH_SET ($1–$4); their own parameters follow from $5.
import type { Query } from './db.ts';
import { FINISH_SET } from './request-rows.ts';

const INSERT = `INSERT INTO requests (id, endpoint_id, app, owner, state, priority, input, webhook_url, max_attempts, created_at,
                                      deadline_at, idempotency_key, units, output_lifetime_ms)
                VALUES ($1, $2, $3, $4, 'queued', $5, $6::json, $7, $8, $9, $10, $11, $12, $13)`;

export const REQUEST_QUERIES = {
  // request_insert: a new queued request without an idempotency key.
  insert: { name: 'request_insert', text: `${INSERT} RETURNING *` },

  // request_insert_idempotent: the same with a key; nothing when a concurrent submit with the same
  // owner and key got there first (the unique index requests_idempotency decides).
  insertIdempotent: {
    name: 'request_insert_idempotent',
    text: `${INSERT} ON CONFLICT (owner, idempotency_key) WHERE idempotency_key IS NOT NULL DO NOTHING RETURNING *`,
  },

  // request_by_idempotency_key: the request a repeated submit returns.
  byIdempotencyKey: { name: 'request_by_idempotency_key', text: 'SELECT * FROM requests WHERE owner = $1 AND idempotency_key = $2' },

  // request_free_idempotency_key: a key past its window is free for a new request.
  freeIdempotencyKey: { name: 'request_free_idempotency_key', text: 'UPDATE requests SET idempotency_key = NULL WHERE id = $1' },

  // request_get: one request by id.
  get: { name: 'request_get', text: 'SELECT * FROM requests WHERE id = $1' },

  // request_by_preview_token: the request whose preview frame this capability shows.
  byPreviewToken: { name: 'request_by_preview_token', text: 'SELECT * FROM requests WHERE preview_token = $1' },

  // request_queue_position: how many queued requests a worker takes first; no row unless queued.
  queuePosition: {
    name: 'request_queue_position',
    text: `SELECT (SELECT COUNT(*) FROM requests o
                    WHERE o.state = 'queued' AND (o.priority < r.priority OR (o.priority = r.priority AND o.seq < r.seq)))::integer AS n
             FROM requests r WHERE r.id = $1 AND r.state = 'queued'`,
  },

  // request_claim: the next queued request (normal before low, then oldest) under a fresh lease.
  // SKIP LOCKED: concurrent claimers each lock a different row instead of queueing behind one. A
  // request past its start deadline is never started (expireOverdue ends it).
  claim: {
    name: 'request_claim',
    text: `UPDATE requests
              SET state = 'running', attempts = attempts + 1, lease_owner = $1, lease_token = $2,
                  lease_expires_at = $3, started_at = $4
            WHERE seq = (SELECT seq FROM requests WHERE state = 'queued' AND (deadline_at IS NULL OR deadline_at > $4)
                          ORDER BY priority, seq LIMIT 1 FOR UPDATE SKIP LOCKED)
              AND state = 'queued'
            RETURNING *`,
  },

  // request_heartbeat: extends the lease while it is this worker's; says whether a cancel came.
  heartbeat: {
    name: 'request_heartbeat',
    text: `UPDATE requests SET lease_expires_at = $1
            WHERE id = $2 AND lease_token = $3 AND state = 'running' RETURNING cancel_requested`,
  },

  // request_finish: a running request ends, if the lease is still this worker's.
  finish: {
    name: 'request_finish',
    text: `UPDATE requests SET ${FINISH_SET} WHERE id = $5 AND lease_token = $6 AND state = 'running'`,
  },

  // request_release: back to the queue without spending an attempt (graceful shutdown).
  release: {
    name: 'request_release',
    text: `UPDATE requests SET state = 'queued', attempts = attempts - 1, started_at = NULL, progress = NULL,
                  lease_owner = NULL, lease_token = NULL, lease_expires_at = NULL
            WHERE id = $1 AND lease_token = $2 AND state = 'running'`,
  },

  // request_lapsed: running requests whose lease ran out, locked for this reaper; rows another
  // process is reaping (or a heartbeat is renewing) are skipped.
  lapsed: {
    name: 'request_lapsed',
    text: `SELECT * FROM requests WHERE state = 'running' AND lease_expires_at < $1 ORDER BY seq FOR UPDATE SKIP LOCKED`,
  },

  // request_finish_lapsed: a lapsed request ends (cancelled, or out of attempts).
  finishLapsed: { name: 'request_finish_lapsed', text: `UPDATE requests SET ${FINISH_SET} WHERE id = $5 AND state = 'running'` },

  // request_requeue: a lapsed request waits for another worker.
  requeue: {
    name: 'request_requeue',
    text: `UPDATE requests SET state = 'queued', started_at = NULL, progress = NULL, lease_owner = NULL, lease_token = NULL,
                  lease_expires_at = NULL
            WHERE id = $1 AND state = 'running'`,
  },

  // request_lock_state: a cancel reads the state with the row locked, so no claim or finish
  // slips in between its read and its write.
  lockState: { name: 'request_lock_state', text: 'SELECT state FROM requests WHERE id = $1 FOR NO KEY UPDATE' },

  // request_finish_queued: a queued request is cancelled before it ever ran.
  finishQueued: { name: 'request_finish_queued', text: `UPDATE requests SET ${FINISH_SET} WHERE id = $5 AND state = 'queued'` },

  // request_ask_cancel: a running request's worker stops at its next heartbeat.
  requestCancel: { name: 'request_ask_cancel', text: 'UPDATE requests SET cancel_requested = true WHERE id = $1' },

  // request_expire_overdue: queued requests past their start deadline end (index requests_deadline).
  expireOverdue: {
    name: 'request_expire_overdue',
    text: `UPDATE requests SET ${FINISH_SET}
            WHERE state = 'queued' AND deadline_at IS NOT NULL AND deadline_at <= $4 RETURNING id`,
  },

  // request_set_progress: a running request's progress and preview, while the lease is held.
  setProgress: {
    name: 'request_set_progress',
    text: `UPDATE requests SET progress = $1::jsonb, preview_token = COALESCE($2, preview_token)
            WHERE id = $3 AND lease_token = $4 AND state = 'running'`,
  },

  // request_purge: a batch of requests finished before the cut lose input and result, keeping a
  // tombstone; never one whose webhook is still to be delivered (it carries the result).
  purge: {
    name: 'request_purge',
    text: `UPDATE requests SET input = 'null', result = NULL, failure = NULL, purged_at = $1
            WHERE seq IN (SELECT seq FROM requests
                           WHERE purged_at IS NULL AND finished_at IS NOT NULL AND finished_at < $2
                             AND (webhook_state IS NULL OR webhook_state <> 'pending')
                           LIMIT $3 FOR UPDATE SKIP LOCKED)
            RETURNING id`,
  },

  // request_purge_logs, request_purge_attempts: the purged requests' log lines and webhook attempts.
  purgeLogs: { name: 'request_purge_logs', text: 'DELETE FROM request_logs WHERE request_id = ANY($1::text[])' },
  purgeAttempts: { name: 'request_purge_attempts', text: 'DELETE FROM webhook_attempts WHERE request_id = ANY($1::text[])' },

  // request_list: the newest requests, optionally of one owner and in one state (NULL: any).
  list: {
    name: 'request_list',
    text: `SELECT * FROM requests WHERE ($1::text IS NULL OR owner = $1) AND ($2::text IS NULL OR state = $2)
            ORDER BY seq DESC LIMIT $3`,
  },
} satisfies Record<string, Query>;
