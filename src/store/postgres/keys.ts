// API keys: the secret's hash, its user, and whether it was revoked.
import type pg from 'pg';
import type { KeyRecord } from '../records.ts';
import type { KeyStore } from '../store.ts';
import { changed, one, rows, type Query } from './db.ts';

interface KeyRow { id: string; user_id: string; secret_hash: string; label: string | null; created_at: number; revoked_at: number | null }

const toKey = (r: KeyRow): KeyRecord => ({
  id: r.id, userId: r.user_id, secretHash: r.secret_hash, label: r.label, createdAt: r.created_at, revokedAt: r.revoked_at,
});

// key_insert: a new key (its secret only as a hash).
const INSERT: Query = {
  name: 'key_insert',
  text: 'INSERT INTO api_keys (id, user_id, secret_hash, label, created_at, revoked_at) VALUES ($1, $2, $3, $4, $5, $6)',
};

// key_get: one key by id, on every authenticated call.
const GET: Query = { name: 'key_get', text: 'SELECT * FROM api_keys WHERE id = $1' };

// key_list: every key, oldest first; ids in byte order, as SQLite sorts them.
const LIST: Query = { name: 'key_list', text: 'SELECT * FROM api_keys ORDER BY created_at, id COLLATE "C"' };

// key_revoke: once; a second revoke changes nothing.
const REVOKE: Query = { name: 'key_revoke', text: 'UPDATE api_keys SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL' };

export class PostgresKeys implements KeyStore {
  readonly #pool: pg.Pool;

  constructor(pool: pg.Pool) {
    this.#pool = pool;
  }

  async insert(key: KeyRecord): Promise<void> {
    await changed(this.#pool, INSERT, [key.id, key.userId, key.secretHash, key.label, key.createdAt, key.revokedAt]);
  }

  async get(id: string): Promise<KeyRecord | null> {
    const row = await one<KeyRow>(this.#pool, GET, [id]);
    return row ? toKey(row) : null;
  }

  async list(): Promise<KeyRecord[]> {
    return (await rows<KeyRow>(this.#pool, LIST)).map(toKey);
  }

  async revoke(id: string, now: number): Promise<boolean> {
    return (await changed(this.#pool, REVOKE, [now, id])) === 1;
  }
}
