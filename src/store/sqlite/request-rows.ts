// The request row as SQLite holds it, and how it becomes a RequestRecord.
import type { RequestState } from '../../requests/state.ts';
import type { Outcome, Priority, Progress, RequestRecord, WebhookState } from '../records.ts';

export interface RequestRow {
  id: string; endpoint_id: string; app: string; owner: string; state: RequestState; priority: number;
  input: string; webhook_url: string | null; attempts: number; max_attempts: number;
  lease_owner: string | null; lease_token: string | null; lease_expires_at: number | null; cancel_requested: number;
  result: string | null; failure: string | null; created_at: number; started_at: number | null; finished_at: number | null;
  deadline_at: number | null; idempotency_key: string | null; progress: string | null; preview_token: string | null;
  webhook_state: WebhookState | null; webhook_attempts: number; purged_at: number | null; output_lifetime_ms: number | null; units: number;
}

export const PRIORITY: Record<Priority, number> = { normal: 0, low: 1 };

const json = <T>(text: string | null): T | null => (text === null ? null : (JSON.parse(text) as T));

export function toRequest(r: RequestRow): RequestRecord {
  return {
    id: r.id, endpointId: r.endpoint_id, app: r.app, owner: r.owner, state: r.state,
    priority: r.priority === 1 ? 'low' : 'normal',
    input: json(r.input), webhookUrl: r.webhook_url,
    attempts: r.attempts, maxAttempts: r.max_attempts,
    leaseOwner: r.lease_owner, leaseExpiresAt: r.lease_expires_at, cancelRequested: r.cancel_requested === 1,
    result: json(r.result), failure: json<RequestRecord['failure']>(r.failure),
    createdAt: r.created_at, startedAt: r.started_at, finishedAt: r.finished_at,
    deadlineAt: r.deadline_at, idempotencyKey: r.idempotency_key, progress: json<Progress>(r.progress),
    previewToken: r.preview_token, webhookState: r.webhook_state, webhookAttempts: r.webhook_attempts, purgedAt: r.purged_at,
    outputLifetimeMs: r.output_lifetime_ms,
    units: r.units,
  };
}

export function outcomeColumns(outcome: Outcome): { state: RequestState; result: string | null; failure: string | null } {
  return outcome.state === 'succeeded'
    ? { state: 'succeeded', result: JSON.stringify(outcome.result), failure: null }
    : { state: outcome.state, result: null, failure: JSON.stringify(outcome.failure) };
}

/**
 * The SET clause every transition into a final state shares: results in, lease out, and the
 * webhook (if any) queued for delivery in the same write, so a finished request can never miss
 * its webhook. Parameters: state, result, failure, finished_at, webhook_next_at.
 */
export const FINISH_SET = `state = ?, result = ?, failure = ?, finished_at = ?,
  lease_owner = NULL, lease_token = NULL, lease_expires_at = NULL, progress = NULL,
  webhook_state = CASE WHEN webhook_url IS NULL THEN NULL ELSE 'pending' END,
  webhook_next_at = CASE WHEN webhook_url IS NULL THEN NULL ELSE ? END`;

export function finishParams(outcome: Outcome, now: number): unknown[] {
  const c = outcomeColumns(outcome);
  return [c.state, c.result, c.failure, now, now];
}
