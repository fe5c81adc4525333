// The file row as both SQL stores hold it (the same column names and types), and how it becomes
// a FileRecord.
import type { FileRecord } from './records.ts';

export interface FileRow {
  id: string; token: string; owner: string; request_id: string | null; blob_key: string; content_type: string;
  file_name: string; size: number | null; state: 'pending' | 'ready'; upload_token_hash: string | null;
  upload_expires_at: number | null; upload_kind: 'single' | 'multipart' | null; upload_id: string | null;
  lifetime_ms: number | null; expires_at: number | null; created_at: number;
}

export const toFile = (r: FileRow): FileRecord => ({
  id: r.id, token: r.token, owner: r.owner, requestId: r.request_id, blobKey: r.blob_key, contentType: r.content_type,
  fileName: r.file_name, size: r.size, state: r.state, uploadTokenHash: r.upload_token_hash,
  uploadExpiresAt: r.upload_expires_at, uploadKind: r.upload_kind, uploadId: r.upload_id, lifetimeMs: r.lifetime_ms,
  expiresAt: r.expires_at, createdAt: r.created_at,
});
