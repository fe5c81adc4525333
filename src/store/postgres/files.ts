// Files: uploads (pending until their bytes arrive), outputs of requests, and their lifetimes.
import type pg from 'pg';
import type { FileRecord } from '../records.ts';
import type { FileStore } from '../store.ts';
import { changed, one, rows, type Db, type Query } from './db.ts';
import { toFile, type FileRow } from '../file-rows.ts';

// file_insert: a new file row.
const INSERT: Query = {
  name: 'file_insert',
  text: `INSERT INTO files (id, token, owner, request_id, blob_key, content_type, file_name, size, state,
                            upload_token_hash, upload_expires_at, upload_kind, upload_id, lifetime_ms, expires_at, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)`,
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

/** Inserts a file row; shared with the request store, which records outputs as it finishes. */
export async function insertFile(db: Db, f: FileRecord): Promise<void> {
  await db.query({
    ...INSERT,
    values: [f.id, f.token, f.owner, f.requestId, f.blobKey, f.contentType, f.fileName, f.size, f.state,
      f.uploadTokenHash, f.uploadExpiresAt, f.uploadKind ?? (f.state === 'pending' ? 'single' : null), f.uploadId ?? null,
      f.lifetimeMs ?? null, f.expiresAt ?? null, f.createdAt],
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

  async listExpired(now: number, limit: number): Promise<FileRecord[]> {
    return (await rows<FileRow>(this.#pool, EXPIRED, [now, limit])).map(toFile);
  }

  async listAbandoned(now: number, limit: number): Promise<FileRecord[]> {
    return (await rows<FileRow>(this.#pool, ABANDONED, [now, limit])).map(toFile);
  }

  async delete(id: string): Promise<void> {
    await changed(this.#pool, DELETE, [id]);
  }
}
