// The webhook outbox: delivery state lives on the request row (set in the same write that
// finishes the request), each attempt is a row of its own for the owner to inspect.
import type Database from 'better-sqlite3';
import type { RequestRecord, WebhookAttempt, WebhookState } from '../records.ts';
import type { SigningKey, SigningKeyStore, WebhookStore } from '../store.ts';
import { toRequest, type RequestRow } from './request-rows.ts';

interface AttemptRow { attempt: number; at: number; status_code: number | null; error: string | null; duration_ms: number }

export class SqliteWebhooks implements WebhookStore {
  readonly #db: Database.Database;

  constructor(db: Database.Database) {
    this.#db = db;
  }

  async claimDue(now: number, leaseMs: number, limit: number): Promise<RequestRecord[]> {
    return this.#db
      .prepare<unknown[], RequestRow>(
        `UPDATE requests SET webhook_lease_until = ?
          WHERE seq IN (SELECT seq FROM requests
                         WHERE webhook_state = 'pending' AND webhook_next_at <= ?
                           AND (webhook_lease_until IS NULL OR webhook_lease_until < ?)
                         ORDER BY webhook_next_at LIMIT ?)
          RETURNING *`,
      )
      .all(now + leaseMs, now, now, limit)
      .map(toRequest);
  }

  async recordAttempt(requestId: string, a: WebhookAttempt, next: { state: WebhookState; nextAt: number | null }): Promise<boolean> {
    return this.#db.transaction(() => {
      // Only the request's next attempt is recorded: a dispatcher whose claim lapsed finds the
      // count moved on and writes nothing.
      const { changes } = this.#db
        .prepare(
          `UPDATE requests SET webhook_state = ?, webhook_next_at = ?, webhook_attempts = ?, webhook_lease_until = NULL
            WHERE id = ? AND webhook_state = 'pending' AND webhook_attempts = ? - 1`,
        )
        .run(next.state, next.nextAt, a.attempt, requestId, a.attempt);
      if (changes !== 1) return false;
      this.#db
        .prepare('INSERT INTO webhook_attempts (request_id, attempt, at, status_code, error, duration_ms) VALUES (?, ?, ?, ?, ?, ?)')
        .run(requestId, a.attempt, a.at, a.statusCode, a.error, a.durationMs);
      return true;
    })();
  }

  async listAttempts(requestId: string): Promise<WebhookAttempt[]> {
    return this.#db
      .prepare<[string], AttemptRow>('SELECT attempt, at, status_code, error, duration_ms FROM webhook_attempts WHERE request_id = ? ORDER BY id')
      .all(requestId)
      .map((r) => ({ attempt: r.attempt, at: r.at, statusCode: r.status_code, error: r.error, durationMs: r.duration_ms }));
  }
}

interface KeyRow { kid: string; private_pem: string; public_jwk: string; created_at: number }

const toKey = (r: KeyRow): SigningKey => ({
  kid: r.kid, privatePem: r.private_pem, publicJwk: JSON.parse(r.public_jwk) as Record<string, string>, createdAt: r.created_at,
});

export class SqliteSigningKeys implements SigningKeyStore {
  readonly #db: Database.Database;

  constructor(db: Database.Database) {
    this.#db = db;
  }

  async current(make: () => SigningKey): Promise<SigningKey> {
    return this.#db.transaction((): SigningKey => {
      const row = this.#db.prepare<[], KeyRow>('SELECT * FROM signing_keys ORDER BY created_at DESC, kid LIMIT 1').get();
      if (row) return toKey(row);
      const key = make();
      this.#db
        .prepare('INSERT INTO signing_keys (kid, private_pem, public_jwk, created_at) VALUES (?, ?, ?, ?)')
        .run(key.kid, key.privatePem, JSON.stringify(key.publicJwk), key.createdAt);
      return key;
    }).immediate();
  }

  async list(): Promise<SigningKey[]> {
    return this.#db.prepare<[], KeyRow>('SELECT * FROM signing_keys ORDER BY created_at DESC, kid').all().map(toKey);
  }
}
