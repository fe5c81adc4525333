// The webhook outbox: delivery state lives on the request row (set in the same write that
// finishes the request), each attempt is a row of its own for the owner to inspect.
import type pg from 'pg';
import type { RequestRecord, WebhookAttempt, WebhookState } from '../records.ts';
import type { SigningKey, SigningKeyStore, WebhookStore } from '../store.ts';
import { one, rows, transaction, type Query } from './db.ts';
import { toRequest, type RequestRow } from './request-rows.ts';

interface AttemptRow { attempt: number; at: number; status_code: number | null; error: string | null; duration_ms: number }

// webhook_claim_due: due deliveries, each leased for a while. SKIP LOCKED lets dispatchers in
// several processes take disjoint batches without waiting on each other.
const CLAIM_DUE: Query = {
  name: 'webhook_claim_due',
  text: `WITH due AS (
           SELECT seq FROM requests
            WHERE webhook_state = 'pending' AND webhook_next_at <= $2
              AND (webhook_lease_until IS NULL OR webhook_lease_until < $2)
            ORDER BY webhook_next_at LIMIT $3
              FOR UPDATE SKIP LOCKED),
         leased AS (UPDATE requests r SET webhook_lease_until = $1 FROM due WHERE r.seq = due.seq RETURNING r.*)
         SELECT * FROM leased ORDER BY webhook_next_at, seq`,
};

// webhook_attempt_insert: one delivery attempt, whatever its end.
const ATTEMPT_INSERT: Query = {
  name: 'webhook_attempt_insert',
  text: 'INSERT INTO webhook_attempts (request_id, attempt, at, status_code, error, duration_ms) VALUES ($1, $2, $3, $4, $5, $6)',
};

// webhook_next: what comes after an attempt; the lease ends with it. Only the request's next
// attempt is recorded: a dispatcher whose claim lapsed finds the count moved on and writes nothing.
const NEXT: Query = {
  name: 'webhook_next',
  text: `UPDATE requests SET webhook_state = $1, webhook_next_at = $2, webhook_attempts = $3, webhook_lease_until = NULL
          WHERE id = $4 AND webhook_state = 'pending' AND webhook_attempts = $3 - 1`,
};

// webhook_attempts: a request's attempts in order.
const ATTEMPTS: Query = {
  name: 'webhook_attempts',
  text: 'SELECT attempt, at, status_code, error, duration_ms FROM webhook_attempts WHERE request_id = $1 ORDER BY id',
};

export class PostgresWebhooks implements WebhookStore {
  readonly #pool: pg.Pool;

  constructor(pool: pg.Pool) {
    this.#pool = pool;
  }

  async claimDue(now: number, leaseMs: number, limit: number): Promise<RequestRecord[]> {
    return (await rows<RequestRow>(this.#pool, CLAIM_DUE, [now + leaseMs, now, limit])).map(toRequest);
  }

  async recordAttempt(requestId: string, a: WebhookAttempt, next: { state: WebhookState; nextAt: number | null }): Promise<boolean> {
    return transaction(this.#pool, async (tx) => {
      const { rowCount } = await tx.query({ ...NEXT, values: [next.state, next.nextAt, a.attempt, requestId] });
      if (rowCount !== 1) return false;
      await tx.query({ ...ATTEMPT_INSERT, values: [requestId, a.attempt, a.at, a.statusCode, a.error, a.durationMs] });
      return true;
    });
  }

  async listAttempts(requestId: string): Promise<WebhookAttempt[]> {
    return (await rows<AttemptRow>(this.#pool, ATTEMPTS, [requestId]))
      .map((r) => ({ attempt: r.attempt, at: r.at, statusCode: r.status_code, error: r.error, durationMs: r.duration_ms }));
  }
}

interface KeyRow { kid: string; private_pem: string; public_jwk: Record<string, string>; created_at: number }

const toKey = (r: KeyRow): SigningKey => ({ kid: r.kid, privatePem: r.private_pem, publicJwk: r.public_jwk, createdAt: r.created_at });

// signing_key_lock: servers starting at once against an empty database must agree on one first
// key; the lock mode conflicts with itself and lets readers through.
const LOCK_KEYS = 'LOCK TABLE signing_keys IN SHARE ROW EXCLUSIVE MODE';

// signing_key_current: the newest key.
const CURRENT: Query = { name: 'signing_key_current', text: 'SELECT * FROM signing_keys ORDER BY created_at DESC, kid COLLATE "C" LIMIT 1' };

// signing_key_insert: the first key, made by the program.
const INSERT_KEY: Query = {
  name: 'signing_key_insert',
  text: 'INSERT INTO signing_keys (kid, private_pem, public_jwk, created_at) VALUES ($1, $2, $3::jsonb, $4)',
};

// signing_key_list: every key, newest first (the JWKS).
const LIST_KEYS: Query = { name: 'signing_key_list', text: 'SELECT * FROM signing_keys ORDER BY created_at DESC, kid COLLATE "C"' };

export class PostgresSigningKeys implements SigningKeyStore {
  readonly #pool: pg.Pool;

  constructor(pool: pg.Pool) {
    this.#pool = pool;
  }

  async current(make: () => SigningKey): Promise<SigningKey> {
    const existing = await one<KeyRow>(this.#pool, CURRENT);
    if (existing) return toKey(existing);
    return transaction(this.#pool, async (tx) => {
      await tx.query(LOCK_KEYS);
      const row = await one<KeyRow>(tx, CURRENT);
      if (row) return toKey(row);
      const key = make();
      await tx.query({ ...INSERT_KEY, values: [key.kid, key.privatePem, JSON.stringify(key.publicJwk), key.createdAt] });
      return key;
    });
  }

  async list(): Promise<SigningKey[]> {
    return (await rows<KeyRow>(this.#pool, LIST_KEYS)).map(toKey);
  }
}
