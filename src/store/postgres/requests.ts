// Requests and their leases. Every write after a claim names the lease token, so a worker that
// lost its lease can change nothing. Several processes share the table: claims and every batch a
// chore takes (reaping, webhooks, purging) lock their rows with SKIP LOCKED, so workers and
// housekeepers never take the same row or wait on each other; each transition is one transaction.
import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import type { CancelOutcome, Claim, NewRequest, Outcome, Progress, RequestRecord, UsageRow } from '../records.ts';
import type { FinishExtras, QueueActivity, ReapOutcomes, ReapResult, RequestFilter, RequestStore, UsageFilter } from '../store.ts';
import { changed, one, rows, transaction } from './db.ts';
import { insertFile } from './files.ts';
import { insertLogs } from './logs.ts';
import { PRIORITY, finishParams, jsonParam, toRequest, type RequestRow } from './request-rows.ts';
import { activity, usage } from './request-stats.ts';
import { REQUEST_QUERIES as Q } from './request-queries.ts';

export class PostgresRequests implements RequestStore {
  readonly #pool: pg.Pool;

  constructor(pool: pg.Pool) {
    this.#pool = pool;
  }

  async insert(r: NewRequest, idempotentSince = 0): Promise<{ request: RequestRecord; created: boolean }> {
    const values = [r.id, r.endpointId, r.app, r.owner, PRIORITY[r.priority], jsonParam(r.input), r.webhookUrl, r.maxAttempts,
      r.createdAt, r.deadlineAt, r.idempotencyKey, r.units ?? 0, r.outputLifetimeMs];
    if (r.idempotencyKey === null) {
      return { request: toRequest((await one<RequestRow>(this.#pool, Q.insert, values))!), created: true };
    }
    return transaction(this.#pool, async (tx) => {
      const prior = await one<RequestRow>(tx, Q.byIdempotencyKey, [r.owner, r.idempotencyKey]);
      if (prior && prior.created_at >= idempotentSince) return { request: toRequest(prior), created: false };
      // Past its window the key is free again.
      if (prior) await tx.query({ ...Q.freeIdempotencyKey, values: [prior.id] });
      const row = await one<RequestRow>(tx, Q.insertIdempotent, values);
      if (row) return { request: toRequest(row), created: true };
      // A submit with the same key committed between our read and our insert: it is the first.
      const first = await one<RequestRow>(tx, Q.byIdempotencyKey, [r.owner, r.idempotencyKey]);
      return { request: toRequest(first!), created: false };
    });
  }

  async get(id: string): Promise<RequestRecord | null> {
    const row = await one<RequestRow>(this.#pool, Q.get, [id]);
    return row ? toRequest(row) : null;
  }

  async getByPreviewToken(token: string): Promise<RequestRecord | null> {
    const row = await one<RequestRow>(this.#pool, Q.byPreviewToken, [token]);
    return row ? toRequest(row) : null;
  }

  async queuePosition(id: string): Promise<number | null> {
    return (await one<{ n: number }>(this.#pool, Q.queuePosition, [id]))?.n ?? null;
  }

  async claim(workerId: string, leaseMs: number, now: number): Promise<Claim | null> {
    const leaseToken = randomUUID();
    const row = await one<RequestRow>(this.#pool, Q.claim, [workerId, leaseToken, now + leaseMs, now]);
    return row ? { request: toRequest(row), leaseToken } : null;
  }

  async heartbeat(id: string, leaseToken: string, leaseMs: number, now: number): Promise<{ held: boolean; cancelRequested: boolean }> {
    const row = await one<{ cancel_requested: boolean }>(this.#pool, Q.heartbeat, [now + leaseMs, id, leaseToken]);
    return row ? { held: true, cancelRequested: row.cancel_requested } : { held: false, cancelRequested: false };
  }

  async finish(id: string, leaseToken: string, outcome: Outcome, now: number, extras: FinishExtras = {}): Promise<boolean> {
    const params = [...finishParams(outcome, now), id, leaseToken];
    const files = extras.files ?? [];
    const logs = extras.logs ?? [];
    if (files.length === 0 && logs.length === 0) return (await changed(this.#pool, Q.finish, params)) === 1;
    return transaction(this.#pool, async (tx) => {
      if ((await changed(tx, Q.finish, params)) !== 1) return false;
      for (const f of files) await insertFile(tx, f);
      await insertLogs(tx, id, logs);
      return true;
    });
  }

  async release(id: string, leaseToken: string): Promise<boolean> {
    return (await changed(this.#pool, Q.release, [id, leaseToken])) === 1;
  }

  async reapExpiredLeases(now: number, outcomes: ReapOutcomes): Promise<ReapResult> {
    return transaction(this.#pool, async (tx) => {
      const lapsed = await rows<RequestRow>(tx, Q.lapsed, [now]);
      const result: ReapResult = { requeued: [], finished: [] };
      for (const row of lapsed) {
        if (row.cancel_requested || row.attempts >= row.max_attempts) {
          const outcome = row.cancel_requested ? outcomes.cancelled : outcomes.lost(row.attempts);
          await tx.query({ ...Q.finishLapsed, values: [...finishParams(outcome, now), row.id] });
          result.finished.push(row.id);
        } else {
          await tx.query({ ...Q.requeue, values: [row.id] });
          result.requeued.push(row.id);
        }
      }
      return result;
    });
  }

  async cancel(id: string, now: number, cancelled: Outcome & { state: 'cancelled' }): Promise<CancelOutcome> {
    return transaction(this.#pool, async (tx) => {
      const row = await one<{ state: RequestRecord['state'] }>(tx, Q.lockState, [id]);
      if (!row) return 'not_found';
      if (row.state === 'queued') {
        await tx.query({ ...Q.finishQueued, values: [...finishParams(cancelled, now), id] });
        return 'cancelled';
      }
      if (row.state === 'running') {
        await tx.query({ ...Q.requestCancel, values: [id] });
        return 'cancel_requested';
      }
      return 'already_completed';
    });
  }

  async expireOverdue(now: number, expired: Outcome): Promise<string[]> {
    return (await rows<{ id: string }>(this.#pool, Q.expireOverdue, finishParams(expired, now))).map((r) => r.id);
  }

  async setProgress(id: string, leaseToken: string, progress: Progress, previewToken: string | null): Promise<boolean> {
    return (await changed(this.#pool, Q.setProgress, [JSON.stringify(progress), previewToken, id, leaseToken])) === 1;
  }

  async purgeFinished(before: number, now: number, limit: number): Promise<string[]> {
    return transaction(this.#pool, async (tx) => {
      const ids = (await rows<{ id: string }>(tx, Q.purge, [now, before, limit])).map((r) => r.id);
      if (ids.length > 0) {
        await tx.query({ ...Q.purgeLogs, values: [ids] });
        await tx.query({ ...Q.purgeAttempts, values: [ids] });
      }
      return ids;
    });
  }

  async list(filter: RequestFilter): Promise<RequestRecord[]> {
    return (await rows<RequestRow>(this.#pool, Q.list, [filter.owner ?? null, filter.state ?? null, filter.limit])).map(toRequest);
  }

  async usage(filter: UsageFilter): Promise<UsageRow[]> {
    return usage(this.#pool, filter);
  }

  async activity(): Promise<QueueActivity> {
    return activity(this.#pool);
  }
}
