// The request row as PostgreSQL holds it, and how it becomes a RequestRecord. json and jsonb
// columns arrive parsed, bigints as numbers (db.ts).
import type { RequestState } from '../../requests/state.ts';
import type { Outcome, Priority, Progress, RequestFailure, RequestRecord, WebhookState } from '../records.ts';

export interface RequestRow {
  id: string; endpoint_id: string; app: string; owner: string; state: RequestState; priority: number;
  input: unknown; webhook_url: string | null; attempts: number; max_attempts: number;
  lease_owner: string | null; lease_token: string | null; lease_expires_at: number | null; cancel_requested: boolean;
  result: unknown; failure: RequestFailure | null; created_at: number; started_at: number | null; finished_at: number | null;
  deadline_at: number | null; idempotency_key: string | null; progress: Progress | null; preview_token: string | null;
  webhook_state: WebhookState | null; webhook_attempts: number; purged_at: number | null; units: number;
  output_lifetime_ms: number | null;
}

export const PRIORITY: Record<Priority, number> = { normal: 0, low: 1 };

export function toRequest(r: RequestRow): RequestRecord {
  return {
    id: r.id, endpointId: r.endpoint_id, app: r.app, owner: r.owner, state: r.state,
    priority: r.priority === 1 ? 'low' : 'normal',
    input: r.input, webhookUrl: r.webhook_url,
    attempts: r.attempts, maxAttempts: r.max_attempts,
    leaseOwner: r.lease_owner, leaseExpiresAt: r.lease_expires_at, cancelRequested: r.cancel_requested,
    result: r.result ?? null, failure: r.failure,
    createdAt: r.created_at, startedAt: r.started_at, finishedAt: r.finished_at,
    deadlineAt: r.deadline_at, idempotencyKey: r.idempotency_key, progress: r.progress,
    previewToken: r.preview_token, webhookState: r.webhook_state, webhookAttempts: r.webhook_attempts, purgedAt: r.purged_at,
    units: r.units,
    outputLifetimeMs: r.output_lifetime_ms,
  };
}

/** A JSON value as the text of a json parameter; undefined (no result) is SQL NULL. */
export const jsonParam = (v: unknown): string | null => (v === undefined ? null : JSON.stringify(v));

/**
 * The SET clause every transition into a final state shares: results in, lease out, and the
 * webhook (if any) queued for delivery in the same write, so a finished request can never miss
 * its webhook. Parameters $1–$4: state, result, failure, now (finished_at and webhook_next_at);
 * the statement's own parameters follow from $5.
 */
export const FINISH_SET = `state = $1, result = $2::json, failure = $3::json, finished_at = $4,
  lease_owner = NULL, lease_token = NULL, lease_expires_at = NULL, progress = NULL,
  webhook_state = CASE WHEN webhook_url IS NULL THEN NULL ELSE 'pending' END,
  webhook_next_at = CASE WHEN webhook_url IS NULL THEN NULL ELSE $4::bigint END`;

export function finishParams(outcome: Outcome, now: number): unknown[] {
  return outcome.state === 'succeeded'
    ? ['succeeded', jsonParam(outcome.result), null, now]
    : [outcome.state, null, jsonParam(outcome.failure), now];
}
