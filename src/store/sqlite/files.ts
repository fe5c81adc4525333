// Files: uploads (pending until their bytes arrive), outputs of requests, and their lifetimes.
import type Database from 'better-sqlite3';
import type { FileRecord } from '../records.ts';
import type { FileStore } from '../store.ts';
import { toFile, type FileRow } from '../file-rows.ts';

/** Inserts a file row; shared with the request store, which records outputs as it finishes. */
export function insertFile(db: Database.Database, f: FileRecord): void {
  db.prepare(
    `INSERT INTO files (id, token, owner, request_id, blob_key, content_type, file_name, size, state,
                        upload_token_hash, upload_expires_at, upload_kind, upload_id, lifetime_ms, expires_at, created_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  ).run(f.id, f.token, f.owner, f.requestId, f.blobKey, f.contentType, f.fileName, f.size, f.state,
    f.uploadTokenHash, f.uploadExpiresAt, f.uploadKind ?? (f.state === 'pending' ? 'single' : null), f.uploadId ?? null,
    f.lifetimeMs ?? null, f.expiresAt ?? null, f.createdAt);
}

export class SqliteFiles implements FileStore {
  readonly #db: Database.Database;

  constructor(db: Database.Database) {
    this.#db = db;
  }

  async insert(f: FileRecord): Promise<void> {
    insertFile(this.#db, f);
  }

  async getByToken(token: string): Promise<FileRecord | null> {
    const row = this.#db.prepare<[string], FileRow>('SELECT * FROM files WHERE token = ?').get(token);
    return row ? toFile(row) : null;
  }

  // findUpload: a live upload URL's pending file. Uploads from before migration 003 have no kind:
  // they were all single PUTs.
  async findUpload(tokenHash: string, now: number, kind: 'single' | 'multipart' = 'single'): Promise<FileRecord | null> {
    const row = this.#db
      .prepare<unknown[], FileRow>(
        `SELECT * FROM files
          WHERE upload_token_hash = ? AND state = 'pending' AND COALESCE(upload_kind, 'single') = ? AND upload_expires_at > ?`,
      )
      .get(tokenHash, kind, now);
    return row ? toFile(row) : null;
  }

  // takeUpload: the same, and the token forgotten in the same statement (single use).
  async takeUpload(tokenHash: string, now: number, kind: 'single' | 'multipart' = 'single'): Promise<FileRecord | null> {
    const row = this.#db
      .prepare<unknown[], FileRow>(
        `UPDATE files SET upload_token_hash = NULL
          WHERE upload_token_hash = ? AND state = 'pending' AND COALESCE(upload_kind, 'single') = ? AND upload_expires_at > ? RETURNING *`,
      )
      .get(tokenHash, kind, now);
    return row ? toFile(row) : null;
  }

  async markReady(id: string, size: number, expiresAt: number | null = null): Promise<void> {
    this.#db
      .prepare(`UPDATE files SET state = 'ready', size = ?, expires_at = ?, upload_token_hash = NULL WHERE id = ?`)
      .run(size, expiresAt, id);
  }

  async listForRequest(requestId: string): Promise<FileRecord[]> {
    return this.#db
      .prepare<[string], FileRow>('SELECT * FROM files WHERE request_id = ? ORDER BY created_at, id')
      .all(requestId)
      .map(toFile);
  }

  // listExpired: the sweeper's work list (index files_expiry).
  async listExpired(now: number, limit: number): Promise<FileRecord[]> {
    return this.#db
      .prepare<unknown[], FileRow>(
        `SELECT * FROM files WHERE state = 'ready' AND expires_at <= ? ORDER BY expires_at LIMIT ?`,
      )
      .all(now, limit)
      .map(toFile);
  }

  // listAbandoned: uploads nobody finished before their URL expired (index files_abandoned).
  async listAbandoned(now: number, limit: number): Promise<FileRecord[]> {
    return this.#db
      .prepare<unknown[], FileRow>(
        `SELECT * FROM files WHERE state = 'pending' AND upload_expires_at <= ? ORDER BY upload_expires_at LIMIT ?`,
      )
      .all(now, limit)
      .map(toFile);
  }

  async delete(id: string): Promise<void> {
    this.#db.prepare('DELETE FROM files WHERE id = ?').run(id);
  }
}
