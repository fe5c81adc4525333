// Uploads that went straight to the blob store (a presigned PUT to S3) never pass through the
// server, and S3 tells nobody when they land. The server learns of one when it next looks: when
// the file is first asked for (its URL, or as a request's input), or at the latest when the
// sweeper finds the upload past its URL's expiry. Then one HEAD gives the size, the bytes are
// held to the upload limit, and the file becomes ready; its media type is checked like any
// upload's, from its first bytes, when it is used as an input.
import type { FileRecord } from '../store/records.ts';
import type { Store } from '../store/store.ts';
import type { BlobStore } from './blobs.ts';

export interface DirectUploadDeps {
  store: Store;
  blobs: BlobStore;
  uploadLimitBytes: number;
  defaultLifetimeMs: number;
  now: () => number;
}

/** A pending single upload whose URL is the blob store's own (no upload token of ours). */
export const isDirectUpload = (file: FileRecord): boolean =>
  file.state === 'pending' && file.uploadKind === 'single' && file.uploadTokenHash === null;

export type Confirmation =
  | { kind: 'ready'; file: FileRecord }
  /** Nothing was PUT yet. */
  | { kind: 'absent' }
  /** What was PUT is over the upload limit: it is deleted, with its record. */
  | { kind: 'too-large'; size: number };

/** Marks stored bytes ready; the file's lifetime starts now. */
export async function markReady(d: Pick<DirectUploadDeps, 'store' | 'defaultLifetimeMs' | 'now'>, file: FileRecord, size: number): Promise<FileRecord> {
  const expiresAt = d.now() + (file.lifetimeMs ?? d.defaultLifetimeMs);
  await d.store.files.markReady(file.id, size, expiresAt);
  return { ...file, size, state: 'ready', uploadTokenHash: null, expiresAt };
}

/** Looks for the bytes of a direct upload and makes the file ready when they are there. */
export async function confirmDirectUpload(d: DirectUploadDeps, file: FileRecord): Promise<Confirmation> {
  const stat = await d.blobs.stat(file.blobKey);
  if (!stat) return { kind: 'absent' };
  // A presigned PUT cannot be held to a size in advance (fal's client declares none), so the
  // limit is applied here, the first moment the server sees the bytes.
  if (stat.size > d.uploadLimitBytes) {
    await d.blobs.delete(file.blobKey);
    await d.store.files.delete(file.id);
    return { kind: 'too-large', size: stat.size };
  }
  return { kind: 'ready', file: await markReady(d, file, stat.size) };
}
