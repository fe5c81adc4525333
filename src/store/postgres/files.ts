// Files: uploads (pending until their bytes arrive), outputs of requests, and their lifetimes.
import type pg from 'pg';
import type { FileRecord } from '../records.ts';
import type { FileStore } from '../store.ts';
import { changed, one, rows, transaction, type Db, type Query } from './db.ts';

interface FileRow {
  id: string; token: string; owner: string; request_id: string | null; blob_key: string; content_type: string;
  file_name: string; size: number | null; state: 'pending' | 'ready'; upload_token_hash: string | null;
  upload_expires_at: number | null; upload_kind: 'single' | 'multipart' | null; upload_id: string | null;
  lifetime_ms: number | null; expires_at: number | null; created_at: number;
}

const toFile = (r: FileRow): FileRecord => ({
  id: r.id, token: r.token, owner: r.owner, requestId: r.request_id, blobKey: r.blob_key, contentType: r.content_type,
  fileName: r.file_name, size: r.size, state: r.state, uploadTokenHash: r.upload_token_hash,
  uploadExpiresAt: r.upload_expires_at, uploadKind: r.upload_kind, uploadId: r.upload_id, lifetimeMs: r.lifetime_ms,
  expiresAt: r.expires_at, createdAt: r.created_at,
});

// file_insert: a new file row; an output of a request whose submit asked for a lifetime gets it
// ($15 is the request id, $16 the record's own expiry).
const INSERT: Query = {
  name: 'file_insert',
  text: `INSERT INTO files (id, token, owner, request_id, blob_key, content_type, file_name, size, state,
                            upload_token_hash, upload_expires_at, upload_kind, upload_id, lifetime_ms, expires_at, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14,
                 COALESCE((SELECT $15::bigint + lifetime_ms FROM file_lifetimes WHERE request_id = $4), $16), $15)`,
};

// file_by_token: a file by the unguessable part of its URL.
const BY_TOKEN: Query = { name: 'file_by_token', text: 'SELECT * FROM files WHERE token = $1' };

// file_find_upload: a live upload URL's pending file. Every PostgreSQL row has a kind (003 came
// with the first one); the COALESCE matches SQLite's reading of older rows all the same.
const FIND_UPLOAD: Query = {
  name: 'file_find_upload',
  text: `SELECT * FROM files
          WHERE upload_token_hash = $1 AND state = 'pending' AND COALESCE(upload_kind, 'single') = $2 AND upload_expires_at > $3`,
};

// file_take_upload: the same, and the token forgotten in the same statement (single use).
const TAKE_UPLOAD: Query = {
  name: 'file_take_upload',
  text: `UPDATE files SET upload_token_hash = NULL
          WHERE upload_token_hash = $1 AND state = 'pending' AND COALESCE(upload_kind, 'single') = $2 AND upload_expires_at > $3
          RETURNING *`,
};

// file_mark_ready: the bytes are stored.
const MARK_READY: Query = {
  name: 'file_mark_ready',
  text: `UPDATE files SET state = 'ready', size = $1, expires_at = $2, upload_token_hash = NULL WHERE id = $3`,
};

// file_list_for_request: a request's outputs, in the order they were made.
const FOR_REQUEST: Query = {
  name: 'file_list_for_request',
  text: 'SELECT * FROM files WHERE request_id = $1 ORDER BY created_at, id COLLATE "C"',
};

// file_lock_request: setRequestLifetime and finish (which inserts outputs) serialise on the
// request row, so one always sees the other's commit (see setRequestLifetime).
const LOCK_REQUEST: Query = { name: 'file_lock_request', text: 'SELECT 1 FROM requests WHERE id = $1 FOR NO KEY UPDATE' };

// file_lifetime_upsert: the lifetime a submit asked for its request's outputs.
const LIFETIME_UPSERT: Query = {
  name: 'file_lifetime_upsert',
  text: `INSERT INTO file_lifetimes (request_id, lifetime_ms, created_at) VALUES ($1, $2, $3)
         ON CONFLICT (request_id) DO UPDATE SET lifetime_ms = EXCLUDED.lifetime_ms, created_at = EXCLUDED.created_at`,
};

// file_apply_lifetime: the lifetime applied to outputs already stored.
const APPLY_LIFETIME: Query = { name: 'file_apply_lifetime', text: 'UPDATE files SET expires_at = created_at + $1 WHERE request_id = $2' };

// file_lifetime: a request's lifetime, if its submit asked for one.
const LIFETIME: Query = { name: 'file_lifetime', text: 'SELECT lifetime_ms FROM file_lifetimes WHERE request_id = $1' };

// file_list_expired: the sweeper's work list (index files_expiry).
const EXPIRED: Query = {
  name: 'file_list_expired',
  text: `SELECT * FROM files WHERE state = 'ready' AND expires_at <= $1 ORDER BY expires_at LIMIT $2`,
};

// file_list_abandoned: uploads nobody finished before their URL expired (index files_abandoned).
const ABANDONED: Query = {
  name: 'file_list_abandoned',
  text: `SELECT * FROM files WHERE state = 'pending' AND upload_expires_at <= $1 ORDER BY upload_expires_at LIMIT $2`,
};

const DELETE: Query = { name: 'file_delete', text: 'DELETE FROM files WHERE id = $1' };

// file_forget_lifetimes: lifetimes of requests old enough that no output can still arrive.
const FORGET_LIFETIMES: Query = { name: 'file_forget_lifetimes', text: 'DELETE FROM file_lifetimes WHERE created_at < $1' };

/** Inserts a file row; shared with the request store, which records outputs as it finishes. */
export async function insertFile(db: Db, f: FileRecord): Promise<void> {
  await db.query({
    ...INSERT,
    values: [f.id, f.token, f.owner, f.requestId, f.blobKey, f.contentType, f.fileName, f.size, f.state,
      f.uploadTokenHash, f.uploadExpiresAt, f.uploadKind ?? (f.state === 'pending' ? 'single' : null), f.uploadId ?? null,
      f.lifetimeMs ?? null, f.createdAt, f.expiresAt ?? null],
  });
}

export class PostgresFiles implements FileStore {
  readonly #pool: pg.Pool;

  constructor(pool: pg.Pool) {
    this.#pool = pool;
  }

  async insert(f: FileRecord): Promise<void> {
    await insertFile(this.#pool, f);
  }

  async getByToken(token: string): Promise<FileRecord | null> {
    const row = await one<FileRow>(this.#pool, BY_TOKEN, [token]);
    return row ? toFile(row) : null;
  }

  async findUpload(tokenHash: string, now: number, kind: 'single' | 'multipart' = 'single'): Promise<FileRecord | null> {
    const row = await one<FileRow>(this.#pool, FIND_UPLOAD, [tokenHash, kind, now]);
    return row ? toFile(row) : null;
  }

  async takeUpload(tokenHash: string, now: number, kind: 'single' | 'multipart' = 'single'): Promise<FileRecord | null> {
    const row = await one<FileRow>(this.#pool, TAKE_UPLOAD, [tokenHash, kind, now]);
    return row ? toFile(row) : null;
  }

  async markReady(id: string, size: number, expiresAt: number | null = null): Promise<void> {
    await changed(this.#pool, MARK_READY, [size, expiresAt, id]);
  }

  async listForRequest(requestId: string): Promise<FileRecord[]> {
    return (await rows<FileRow>(this.#pool, FOR_REQUEST, [requestId])).map(toFile);
  }

  /**
   * Remembered for outputs to come, applied to outputs already there. Under PostgreSQL's
   * concurrent writers a finish could insert its outputs between the two statements and miss both;
   * locking the request row first (which finish updates) orders the two transactions.
   */
  async setRequestLifetime(requestId: string, lifetimeMs: number, now: number): Promise<void> {
    await transaction(this.#pool, async (tx) => {
      await tx.query({ ...LOCK_REQUEST, values: [requestId] });
      await tx.query({ ...LIFETIME_UPSERT, values: [requestId, lifetimeMs, now] });
      await tx.query({ ...APPLY_LIFETIME, values: [lifetimeMs, requestId] });
    });
  }

  async requestLifetime(requestId: string): Promise<number | null> {
    return (await one<{ lifetime_ms: number }>(this.#pool, LIFETIME, [requestId]))?.lifetime_ms ?? null;
  }

  async listExpired(now: number, limit: number): Promise<FileRecord[]> {
    return (await rows<FileRow>(this.#pool, EXPIRED, [now, limit])).map(toFile);
  }

  async listAbandoned(now: number, limit: number): Promise<FileRecord[]> {
    return (await rows<FileRow>(this.#pool, ABANDONED, [now, limit])).map(toFile);
  }

  async delete(id: string): Promise<void> {
    await changed(this.#pool, DELETE, [id]);
  }

  async forgetRequestLifetimes(before: number): Promise<number> {
    return changed(this.#pool, FORGET_LIFETIMES, [before]);
  }
}
