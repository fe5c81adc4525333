// Requests and their leases. Every write after a claim names the lease token, so a worker that
// lost its lease can change nothing.
import { randomUUID } from 'node:crypto';
import type Database from 'better-sqlite3';
import type { RequestState } from '../../requests/state.ts';
import type { CancelOutcome, Claim, FileRecord, NewRequest, Outcome, Priority, RequestRecord } from '../records.ts';
import type { ReapOutcomes, ReapResult, RequestStore } from '../store.ts';
import { insertFile } from './files.ts';

interface RequestRow {
  id: string; endpoint_id: string; app: string; owner: string; state: RequestState; priority: number;
  input: string; webhook_url: string | null; attempts: number; max_attempts: number;
  lease_owner: string | null; lease_token: string | null; lease_expires_at: number | null; cancel_requested: number;
  result: string | null; failure: string | null; created_at: number; started_at: number | null; finished_at: number | null;
}

const PRIORITY: Record<Priority, number> = { normal: 0, low: 1 };

function toRequest(r: RequestRow): RequestRecord {
  return {
    id: r.id, endpointId: r.endpoint_id, app: r.app, owner: r.owner, state: r.state,
    priority: r.priority === 1 ? 'low' : 'normal',
    input: JSON.parse(r.input) as unknown, webhookUrl: r.webhook_url,
    attempts: r.attempts, maxAttempts: r.max_attempts,
    leaseOwner: r.lease_owner, leaseExpiresAt: r.lease_expires_at, cancelRequested: r.cancel_requested === 1,
    result: r.result === null ? null : (JSON.parse(r.result) as unknown),
    failure: r.failure === null ? null : (JSON.parse(r.failure) as RequestRecord['failure']),
    createdAt: r.created_at, startedAt: r.started_at, finishedAt: r.finished_at,
  };
}

function outcomeColumns(outcome: Outcome): { state: RequestState; result: string | null; failure: string | null } {
  return outcome.state === 'succeeded'
    ? { state: 'succeeded', result: JSON.stringify(outcome.result), failure: null }
    : { state: outcome.state, result: null, failure: JSON.stringify(outcome.failure) };
}

export class SqliteRequests implements RequestStore {
  readonly #db: Database.Database;

  constructor(db: Database.Database) {
    this.#db = db;
  }

  async insert(r: NewRequest): Promise<RequestRecord> {
    const row = this.#db
      .prepare<unknown[], RequestRow>(
        `INSERT INTO requests (id, endpoint_id, app, owner, state, priority, input, webhook_url, max_attempts, created_at)
         VALUES (?, ?, ?, ?, 'queued', ?, ?, ?, ?, ?) RETURNING *`,
      )
      .get(r.id, r.endpointId, r.app, r.owner, PRIORITY[r.priority], JSON.stringify(r.input), r.webhookUrl, r.maxAttempts, r.createdAt);
    return toRequest(row!);
  }

  async get(id: string): Promise<RequestRecord | null> {
    const row = this.#db.prepare<[string], RequestRow>('SELECT * FROM requests WHERE id = ?').get(id);
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
    // writer, so two workers can never claim the same row.
    const row = this.#db
      .prepare<unknown[], RequestRow>(
        `UPDATE requests
            SET state = 'running', attempts = attempts + 1, lease_owner = ?, lease_token = ?,
                lease_expires_at = ?, started_at = ?
          WHERE seq = (SELECT seq FROM requests WHERE state = 'queued' ORDER BY priority, seq LIMIT 1)
            AND state = 'queued'
          RETURNING *`,
      )
      .get(workerId, leaseToken, now + leaseMs, now);
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

  async finish(id: string, leaseToken: string, outcome: Outcome, now: number, files: readonly FileRecord[] = []): Promise<boolean> {
    const c = outcomeColumns(outcome);
    return this.#db.transaction((): boolean => {
      const done = this.#db
        .prepare(
          `UPDATE requests SET state = ?, result = ?, failure = ?, finished_at = ?,
                  lease_owner = NULL, lease_token = NULL, lease_expires_at = NULL
            WHERE id = ? AND lease_token = ? AND state = 'running'`,
        )
        .run(c.state, c.result, c.failure, now, id, leaseToken).changes === 1;
      if (done) for (const f of files) insertFile(this.#db, f);
      return done;
    })();
  }

  async release(id: string, leaseToken: string): Promise<boolean> {
    return (
      this.#db
        .prepare(
          `UPDATE requests SET state = 'queued', attempts = attempts - 1, started_at = NULL,
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
      const finish = this.#db.prepare(
        `UPDATE requests SET state = ?, result = ?, failure = ?, finished_at = ?,
                lease_owner = NULL, lease_token = NULL, lease_expires_at = NULL WHERE id = ? AND state = 'running'`,
      );
      const requeue = this.#db.prepare(
        `UPDATE requests SET state = 'queued', started_at = NULL, lease_owner = NULL, lease_token = NULL,
                lease_expires_at = NULL WHERE id = ? AND state = 'running'`,
      );
      for (const row of lapsed) {
        if (row.cancel_requested === 1 || row.attempts >= row.max_attempts) {
          const c = outcomeColumns(row.cancel_requested === 1 ? outcomes.cancelled : outcomes.lost(row.attempts));
          finish.run(c.state, c.result, c.failure, now, row.id);
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
        const c = outcomeColumns(cancelled);
        this.#db
          .prepare(`UPDATE requests SET state = 'cancelled', failure = ?, finished_at = ? WHERE id = ? AND state = 'queued'`)
          .run(c.failure, now, id);
        return 'cancelled';
      }
      if (row.state === 'running') {
        this.#db.prepare('UPDATE requests SET cancel_requested = 1 WHERE id = ?').run(id);
        return 'cancel_requested';
      }
      return 'already_completed';
    })();
  }
}
