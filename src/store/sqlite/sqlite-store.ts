// The embedded store: one SQLite file in WAL mode. better-sqlite3 is synchronous, which makes
// each method one short transaction; the async interface is what the PostgreSQL store needs.
import { randomUUID } from 'node:crypto';
import Database from 'better-sqlite3';
import type { ReapResult, Store } from '../store.ts';
import type {
  CancelOutcome, Claim, FileRecord, KeyRecord, LogEntry, LogLevel, NewRequest, Outcome, Priority, RequestRecord,
} from '../records.ts';
import type { RequestState } from '../../requests/state.ts';
import { migrate } from './migrate.ts';

interface RequestRow {
  id: string; endpoint_id: string; app: string; owner: string; state: RequestState; priority: number;
  input: string; webhook_url: string | null; attempts: number; max_attempts: number;
  lease_owner: string | null; lease_token: string | null; lease_expires_at: number | null; cancel_requested: number;
  result: string | null; failure: string | null; created_at: number; started_at: number | null; finished_at: number | null;
}

interface FileRow {
  id: string; token: string; owner: string; request_id: string | null; blob_key: string; content_type: string;
  file_name: string; size: number | null; state: 'pending' | 'ready'; upload_token_hash: string | null;
  upload_expires_at: number | null; created_at: number;
}

interface KeyRow { id: string; user_id: string; secret_hash: string; label: string | null; created_at: number; revoked_at: number | null }

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

function toFile(r: FileRow): FileRecord {
  return {
    id: r.id, token: r.token, owner: r.owner, requestId: r.request_id, blobKey: r.blob_key, contentType: r.content_type,
    fileName: r.file_name, size: r.size, state: r.state, uploadTokenHash: r.upload_token_hash,
    uploadExpiresAt: r.upload_expires_at, createdAt: r.created_at,
  };
}

function toKey(r: KeyRow): KeyRecord {
  return { id: r.id, userId: r.user_id, secretHash: r.secret_hash, label: r.label, createdAt: r.created_at, revokedAt: r.revoked_at };
}

function outcomeColumns(outcome: Outcome): { state: RequestState; result: string | null; failure: string | null } {
  return outcome.state === 'succeeded'
    ? { state: 'succeeded', result: JSON.stringify(outcome.result), failure: null }
    : { state: outcome.state, result: null, failure: JSON.stringify(outcome.failure) };
}

export class SqliteStore implements Store {
  readonly #db: Database.Database;

  private constructor(db: Database.Database) {
    this.#db = db;
  }

  /** Opens (creating if needed) the database file and brings its schema up to date. */
  static open(file: string, now = Date.now()): SqliteStore {
    const db = new Database(file);
    db.pragma('journal_mode = WAL');
    // FULL: a committed transition survives a power cut, not only a crash of the process.
    db.pragma('synchronous = FULL');
    db.pragma('busy_timeout = 5000');
    db.pragma('foreign_keys = ON');
    migrate(db, now);
    return new SqliteStore(db);
  }

  // -- keys ---------------------------------------------------------------------------------

  async insertKey(key: KeyRecord): Promise<void> {
    this.#db
      .prepare('INSERT INTO api_keys (id, user_id, secret_hash, label, created_at, revoked_at) VALUES (?, ?, ?, ?, ?, ?)')
      .run(key.id, key.userId, key.secretHash, key.label, key.createdAt, key.revokedAt);
  }

  async getKey(id: string): Promise<KeyRecord | null> {
    const row = this.#db.prepare<[string], KeyRow>('SELECT * FROM api_keys WHERE id = ?').get(id);
    return row ? toKey(row) : null;
  }

  async listKeys(): Promise<KeyRecord[]> {
    return this.#db.prepare<[], KeyRow>('SELECT * FROM api_keys ORDER BY created_at, id').all().map(toKey);
  }

  async revokeKey(id: string, now: number): Promise<boolean> {
    return this.#db.prepare('UPDATE api_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL').run(now, id).changes === 1;
  }

  // -- requests -----------------------------------------------------------------------------

  async insertRequest(r: NewRequest): Promise<RequestRecord> {
    const row = this.#db
      .prepare<unknown[], RequestRow>(
        `INSERT INTO requests (id, endpoint_id, app, owner, state, priority, input, webhook_url, max_attempts, created_at)
         VALUES (?, ?, ?, ?, 'queued', ?, ?, ?, ?, ?) RETURNING *`,
      )
      .get(r.id, r.endpointId, r.app, r.owner, PRIORITY[r.priority], JSON.stringify(r.input), r.webhookUrl, r.maxAttempts, r.createdAt);
    return toRequest(row!);
  }

  async getRequest(id: string): Promise<RequestRecord | null> {
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

  async claimRequest(workerId: string, leaseMs: number, now: number): Promise<Claim | null> {
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

  async finishRequest(id: string, leaseToken: string, outcome: Outcome, now: number, files: readonly FileRecord[] = []): Promise<boolean> {
    const c = outcomeColumns(outcome);
    return this.#db.transaction((): boolean => {
      const done = this.#db
        .prepare(
          `UPDATE requests SET state = ?, result = ?, failure = ?, finished_at = ?,
                  lease_owner = NULL, lease_token = NULL, lease_expires_at = NULL
            WHERE id = ? AND lease_token = ? AND state = 'running'`,
        )
        .run(c.state, c.result, c.failure, now, id, leaseToken).changes === 1;
      if (done) for (const f of files) this.#insertFile(f);
      return done;
    })();
  }

  async releaseRequest(id: string, leaseToken: string): Promise<boolean> {
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

  async reapExpiredLeases(now: number, outcomes: { lost: (attempts: number) => Outcome; cancelled: Outcome }): Promise<ReapResult> {
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

  async cancelRequest(id: string, now: number, cancelled: Outcome & { state: 'cancelled' }): Promise<CancelOutcome> {
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

  // -- logs ---------------------------------------------------------------------------------

  async appendLog(requestId: string, e: LogEntry): Promise<void> {
    this.#db
      .prepare('INSERT INTO request_logs (request_id, level, source, message, timestamp) VALUES (?, ?, ?, ?, ?)')
      .run(requestId, e.level, e.source, e.message, e.timestamp);
  }

  async listLogs(requestId: string): Promise<LogEntry[]> {
    return this.#db
      .prepare<[string], { level: LogLevel; message: string; timestamp: string }>(
        'SELECT level, message, timestamp FROM request_logs WHERE request_id = ? ORDER BY id',
      )
      .all(requestId)
      .map((r) => ({ message: r.message, level: r.level, source: 'USER', timestamp: r.timestamp }));
  }

  // -- files --------------------------------------------------------------------------------

  async insertFile(f: FileRecord): Promise<void> {
    this.#insertFile(f);
  }

  #insertFile(f: FileRecord): void {
    this.#db
      .prepare(
        `INSERT INTO files (id, token, owner, request_id, blob_key, content_type, file_name, size, state,
                            upload_token_hash, upload_expires_at, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(f.id, f.token, f.owner, f.requestId, f.blobKey, f.contentType, f.fileName, f.size, f.state,
        f.uploadTokenHash, f.uploadExpiresAt, f.createdAt);
  }

  async getFileByToken(token: string): Promise<FileRecord | null> {
    const row = this.#db.prepare<[string], FileRow>('SELECT * FROM files WHERE token = ?').get(token);
    return row ? toFile(row) : null;
  }

  async takeUpload(tokenHash: string, now: number): Promise<FileRecord | null> {
    const row = this.#db
      .prepare<unknown[], FileRow>(
        `UPDATE files SET upload_token_hash = NULL
          WHERE upload_token_hash = ? AND state = 'pending' AND upload_expires_at > ? RETURNING *`,
      )
      .get(tokenHash, now);
    return row ? toFile(row) : null;
  }

  async markFileReady(id: string, size: number): Promise<void> {
    this.#db.prepare(`UPDATE files SET state = 'ready', size = ? WHERE id = ?`).run(size, id);
  }

  async listRequestFiles(requestId: string): Promise<FileRecord[]> {
    return this.#db.prepare<[string], FileRow>('SELECT * FROM files WHERE request_id = ? ORDER BY created_at, id').all(requestId).map(toFile);
  }

  async close(): Promise<void> {
    this.#db.close();
  }
}
