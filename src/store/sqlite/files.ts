import type Database from 'better-sqlite3';
import type { FileRecord } from '../records.ts';
import type { FileStore } from '../store.ts';

interface FileRow {
  id: string; token: string; owner: string; request_id: string | null; blob_key: string; content_type: string;
  file_name: string; size: number | null; state: 'pending' | 'ready'; upload_token_hash: string | null;
  upload_expires_at: number | null; created_at: number;
}

const toFile = (r: FileRow): FileRecord => ({
  id: r.id, token: r.token, owner: r.owner, requestId: r.request_id, blobKey: r.blob_key, contentType: r.content_type,
  fileName: r.file_name, size: r.size, state: r.state, uploadTokenHash: r.upload_token_hash,
  uploadExpiresAt: r.upload_expires_at, createdAt: r.created_at,
});

/** Inserts a file row; shared with the request store, which records outputs as it finishes. */
export function insertFile(db: Database.Database, f: FileRecord): void {
  db.prepare(
    `INSERT INTO files (id, token, owner, request_id, blob_key, content_type, file_name, size, state,
                        upload_token_hash, upload_expires_at, created_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  ).run(f.id, f.token, f.owner, f.requestId, f.blobKey, f.contentType, f.fileName, f.size, f.state,
    f.uploadTokenHash, f.uploadExpiresAt, f.createdAt);
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

  async takeUpload(tokenHash: string, now: number): Promise<FileRecord | null> {
    const row = this.#db
      .prepare<unknown[], FileRow>(
        `UPDATE files SET upload_token_hash = NULL
          WHERE upload_token_hash = ? AND state = 'pending' AND upload_expires_at > ? RETURNING *`,
      )
      .get(tokenHash, now);
    return row ? toFile(row) : null;
  }

  async markReady(id: string, size: number): Promise<void> {
    this.#db.prepare(`UPDATE files SET state = 'ready', size = ? WHERE id = ?`).run(size, id);
  }

  async listForRequest(requestId: string): Promise<FileRecord[]> {
    return this.#db
      .prepare<[string], FileRow>('SELECT * FROM files WHERE request_id = ? ORDER BY created_at, id')
      .all(requestId)
      .map(toFile);
  }
}
