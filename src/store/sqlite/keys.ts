import type Database from 'better-sqlite3';
import type { KeyRecord } from '../records.ts';
import type { KeyStore } from '../store.ts';

interface KeyRow { id: string; user_id: string; secret_hash: string; label: string | null; created_at: number; revoked_at: number | null }

const toKey = (r: KeyRow): KeyRecord => ({
  id: r.id, userId: r.user_id, secretHash: r.secret_hash, label: r.label, createdAt: r.created_at, revokedAt: r.revoked_at,
});

export class SqliteKeys implements KeyStore {
  readonly #db: Database.Database;

  constructor(db: Database.Database) {
    this.#db = db;
  }

  async insert(key: KeyRecord): Promise<void> {
    this.#db
      .prepare('INSERT INTO api_keys (id, user_id, secret_hash, label, created_at, revoked_at) VALUES (?, ?, ?, ?, ?, ?)')
      .run(key.id, key.userId, key.secretHash, key.label, key.createdAt, key.revokedAt);
  }

  async get(id: string): Promise<KeyRecord | null> {
    const row = this.#db.prepare<[string], KeyRow>('SELECT * FROM api_keys WHERE id = ?').get(id);
    return row ? toKey(row) : null;
  }

  async list(): Promise<KeyRecord[]> {
    return this.#db.prepare<[], KeyRow>('SELECT * FROM api_keys ORDER BY created_at, id').all().map(toKey);
  }

  async revoke(id: string, now: number): Promise<boolean> {
    return this.#db.prepare('UPDATE api_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL').run(now, id).changes === 1;
  }
}
