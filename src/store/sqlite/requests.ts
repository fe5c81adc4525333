// Requests and their leases. Every write after a claim names the lease token, so a worker that
// lost its lease can change nothing.
import { randomUUID } from 'node:crypto';
import type Database from 'better-sqlite3';
import type { RequestState } from '../../requests/state.ts';
import type { CancelOutcome, Claim, NewRequest, Outcome, Progress, RequestRecord, UsageRow } from '../records.ts';
import type { FinishExtras, QueueActivity, ReapOutcomes, ReapResult, RequestFilter, RequestStore, UsageFilter } from '../store.ts';
import { insertFile } from './files.ts';
import { insertLogs } from './logs.ts';
import { activity, usage } from './request-stats.ts';
import { FINISH_SET, PRIORITY, finishParams, toRequest, type RequestRow } from './request-rows.ts';

export class SqliteRequests implements RequestStore {
  readonly #db: Database.Database;

  constructor(db: Database.Database) {
    this.#db = db;
  }

  async insert(r: NewRequest, idempotentSince = 0): Promise<{ request: RequestRecord; created: boolean }> {
    return this.#db.transaction(() => {
      if (r.idempotencyKey !== null) {
        const prior = this.#db
          .prepare<[string, string], RequestRow>('SELECT * FROM requests WHERE owner = ? AND idempotency_key = ?')
          .get(r.owner, r.idempotencyKey);
        if (prior && prior.created_at >= idempotentSince) return { request: toRequest(prior), created: false };
        // Past its window the key is free again.
        if (prior) this.#db.prepare('UPDATE requests SET idempotency_key = NULL WHERE id = ?').run(prior.id);
      }
      const row = this.#db
        .prepare<unknown[], RequestRow>(
          `INSERT INTO requests (id, endpoint_id, app, owner, state, priority, input, webhook_url, max_attempts, created_at,
                                 deadline_at, idempotency_key, output_lifetime_ms, units)
           VALUES (?, ?, ?, ?, 'queued', ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING *`,
        )
        .get(r.id, r.endpointId, r.app, r.owner, PRIORITY[r.priority], JSON.stringify(r.input), r.webhookUrl, r.maxAttempts,
          r.createdAt, r.deadlineAt, r.idempotencyKey, r.outputLifetimeMs, r.units ?? 0);
      return { request: toRequest(row!), created: true };
    })();
  }

  async get(id: string): Promise<RequestRecord | null> {
    const row = this.#db.prepare<[string], RequestRow>('SELECT * FROM requests WHERE id = ?').get(id);
    return row ? toRequest(row) : null;
  }

  async getByPreviewToken(token: string): Promise<RequestRecord | null> {
    const row = this.#db.prepare<[string], RequestRow>('SELECT * FROM requests WHERE preview_token = ?').get(token);
    return row ? toRequest(row) : null;
  }

  async queuePosition(id: string): Promise<number | null> {
    const row = this.#db
      .prepare<[string], { n: number | null }>(
        `SELECT (SELECT COUNT(*) FROM requests o
                  WHERE o.state = 'queued' AND (o.priority < r.priority OR (o.priority = r.priority AND o.seq < r.seq))) AS n
           FROM requests r WHERE r.id = ? AND r.state = 'queued'`,
      )
      .get(id);
    return row?.n ?? null;
  }

  async claim(workerId: string, leaseMs: number, now: number): Promise<Claim | null> {
    const leaseToken = randomUUID();
    // One statement: the sub-select and the update see the same snapshot under SQLite's single
    // writer, so two workers can never claim the same row. A request past its start deadline is
    // never started (expireOverdue ends it).
    const row = this.#db
      .prepare<unknown[], RequestRow>(
        `UPDATE requests
            SET state = 'running', attempts = attempts + 1, lease_owner = ?, lease_token = ?,
                lease_expires_at = ?, started_at = ?
          WHERE seq = (SELECT seq FROM requests WHERE state = 'queued' AND (deadline_at IS NULL OR deadline_at > ?)
                        ORDER BY priority, seq LIMIT 1)
            AND state = 'queued'
          RETURNING *`,
      )
      .get(workerId, leaseToken, now + leaseMs, now, now);
    return row ? { request: toRequest(row), leaseToken } : null;
  }

  async heartbeat(id: string, leaseToken: string, leaseMs: number, now: number): Promise<{ held: boolean; cancelRequested: boolean }> {
    const row = this.#db
      .prepare<unknown[], { cancel_requested: number }>(
        `UPDATE requests SET lease_expires_at = ?
          WHERE id = ? AND lease_token = ? AND state = 'running' RETURNING cancel_requested`,
      )
      .get(now + leaseMs, id, leaseToken);
    return row ? { held: true, cancelRequested: row.cancel_requested === 1 } : { held: false, cancelRequested: false };
  }

  async finish(id: string, leaseToken: string, outcome: Outcome, now: number, extras: FinishExtras = {}): Promise<boolean> {
    return this.#db.transaction((): boolean => {
      const done = this.#db
        .prepare(`UPDATE requests SET ${FINISH_SET} WHERE id = ? AND lease_token = ? AND state = 'running'`)
        .run(...finishParams(outcome, now), id, leaseToken).changes === 1;
      if (done) {
        for (const f of extras.files ?? []) insertFile(this.#db, f);
        insertLogs(this.#db, id, extras.logs ?? []);
      }
      return done;
    })();
  }

  async release(id: string, leaseToken: string): Promise<boolean> {
    return (
      this.#db
        .prepare(
          `UPDATE requests SET state = 'queued', attempts = attempts - 1, started_at = NULL, progress = NULL,
                  lease_owner = NULL, lease_token = NULL, lease_expires_at = NULL
            WHERE id = ? AND lease_token = ? AND state = 'running'`,
        )
        .run(id, leaseToken).changes === 1
    );
  }

  async reapExpiredLeases(now: number, outcomes: ReapOutcomes): Promise<ReapResult> {
    return this.#db.transaction((): ReapResult => {
      const lapsed = this.#db
        .prepare<[number], RequestRow>(`SELECT * FROM requests WHERE state = 'running' AND lease_expires_at < ?`)
        .all(now);
      const result: ReapResult = { requeued: [], finished: [] };
      const finish = this.#db.prepare(`UPDATE requests SET ${FINISH_SET} WHERE id = ? AND state = 'running'`);
      const requeue = this.#db.prepare(
        `UPDATE requests SET state = 'queued', started_at = NULL, progress = NULL, lease_owner = NULL, lease_token = NULL,
                lease_expires_at = NULL WHERE id = ? AND state = 'running'`,
      );
      for (const row of lapsed) {
        if (row.cancel_requested === 1 || row.attempts >= row.max_attempts) {
          finish.run(...finishParams(row.cancel_requested === 1 ? outcomes.cancelled : outcomes.lost(row.attempts), now), row.id);
          result.finished.push(row.id);
        } else {
          requeue.run(row.id);
          result.requeued.push(row.id);
        }
      }
      return result;
    })();
  }

  async cancel(id: string, now: number, cancelled: Outcome & { state: 'cancelled' }): Promise<CancelOutcome> {
    return this.#db.transaction((): CancelOutcome => {
      const row = this.#db.prepare<[string], { state: RequestState }>('SELECT state FROM requests WHERE id = ?').get(id);
      if (!row) return 'not_found';
      if (row.state === 'queued') {
        this.#db.prepare(`UPDATE requests SET ${FINISH_SET} WHERE id = ? AND state = 'queued'`).run(...finishParams(cancelled, now), id);
        return 'cancelled';
      }
      if (row.state === 'running') {
        this.#db.prepare('UPDATE requests SET cancel_requested = 1 WHERE id = ?').run(id);
        return 'cancel_requested';
      }
      return 'already_completed';
    })();
  }

  async expireOverdue(now: number, expired: Outcome): Promise<string[]> {
    return this.#db
      .prepare<unknown[], { id: string }>(
        `UPDATE requests SET ${FINISH_SET} WHERE state = 'queued' AND deadline_at IS NOT NULL AND deadline_at <= ? RETURNING id`,
      )
      .all(...finishParams(expired, now), now)
      .map((r) => r.id);
  }

  async setProgress(id: string, leaseToken: string, progress: Progress, previewToken: string | null): Promise<boolean> {
    return (
      this.#db
        .prepare(
          `UPDATE requests SET progress = ?, preview_token = COALESCE(?, preview_token)
            WHERE id = ? AND lease_token = ? AND state = 'running'`,
        )
        .run(JSON.stringify(progress), previewToken, id, leaseToken).changes === 1
    );
  }

  async purgeFinished(before: number, now: number, limit: number): Promise<string[]> {
    return this.#db.transaction((): string[] => {
      const ids = this.#db
        .prepare<unknown[], { id: string }>(
          `UPDATE requests SET input = 'null', result = NULL, failure = NULL, purged_at = ?
            WHERE seq IN (SELECT seq FROM requests WHERE purged_at IS NULL AND finished_at IS NOT NULL AND finished_at < ?
                           AND (webhook_state IS NULL OR webhook_state <> 'pending') LIMIT ?)
            RETURNING id`,
        )
        .all(now, before, limit)
        .map((r) => r.id);
      const logs = this.#db.prepare('DELETE FROM request_logs WHERE request_id = ?');
      const attempts = this.#db.prepare('DELETE FROM webhook_attempts WHERE request_id = ?');
      for (const id of ids) {
        logs.run(id);
        attempts.run(id);
      }
      return ids;
    })();
  }

  async list(filter: RequestFilter): Promise<RequestRecord[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    if (filter.owner !== undefined) {
      where.push('owner = ?');
      params.push(filter.owner);
    }
    if (filter.state !== undefined) {
      where.push('state = ?');
      params.push(filter.state);
    }
    const sql = `SELECT * FROM requests ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY seq DESC LIMIT ?`;
    return this.#db.prepare<unknown[], RequestRow>(sql).all(...params, filter.limit).map(toRequest);
  }

  async usage(filter: UsageFilter): Promise<UsageRow[]> {
    return usage(this.#db, filter);
  }

  async activity(): Promise<QueueActivity> {
    return activity(this.#db);
  }
}
