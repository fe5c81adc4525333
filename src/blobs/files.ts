// Files as the API sees them: upload sessions (a single-use, expiring PUT URL that needs no key,
// as fal's client sends none), outputs of requests, and their public capability URLs.
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { Readable } from 'node:stream';
import type { FileRecord } from '../store/records.ts';
import type { Store } from '../store/store.ts';
import { HttpError } from '../errors.ts';
import { PayloadTooLarge, type BlobStore } from './blobs.ts';

export interface FileServiceDeps {
  store: Store;
  blobs: BlobStore;
  publicUrl: string;
  uploadUrlTtlMs: number;
  uploadLimitBytes: number;
  now: () => number;
}

/** 128 random bits, URL-safe: the whole secret of a capability URL. */
const newToken = (): string => randomBytes(16).toString('base64url');
const hashToken = (token: string): string => createHash('sha256').update(token).digest('hex');

/** A name safe in a URL path and a Content-Disposition header. */
export function safeFileName(name: string | undefined, fallback: string): string {
  const base = (name ?? '').split(/[\\/]/).pop() ?? '';
  const clean = base.replace(/[^\w.-]+/g, '_').replace(/^\.+/, '').slice(0, 120);
  return clean || fallback;
}

export class FileService {
  readonly #d: FileServiceDeps;

  constructor(deps: FileServiceDeps) {
    this.#d = deps;
  }

  url(file: Pick<FileRecord, 'token' | 'fileName'>): string {
    return `${this.#d.publicUrl}/files/${file.token}/${encodeURIComponent(file.fileName)}`;
  }

  async initiateUpload(owner: string, contentType: string, fileName: string): Promise<{ upload_url: string; file_url: string }> {
    const uploadToken = newToken();
    const now = this.#d.now();
    const id = randomUUID();
    const file: FileRecord = {
      id, token: newToken(), owner, requestId: null, blobKey: `files/${id}`, contentType,
      fileName: safeFileName(fileName, 'upload.bin'), size: null, state: 'pending',
      uploadTokenHash: hashToken(uploadToken), uploadExpiresAt: now + this.#d.uploadUrlTtlMs, createdAt: now,
    };
    await this.#d.store.files.insert(file);
    return { upload_url: `${this.#d.publicUrl}/files/upload/${uploadToken}`, file_url: this.url(file) };
  }

  /** Stores the body of an upload PUT. The URL is spent by the first PUT that reaches it. */
  async receiveUpload(uploadToken: string, body: Readable, declaredLength: number | undefined): Promise<FileRecord> {
    const limit = this.#d.uploadLimitBytes;
    if (declaredLength !== undefined && declaredLength > limit) throw new PayloadTooLarge(limit);
    const file = await this.#d.store.files.takeUpload(hashToken(uploadToken), this.#d.now());
    if (!file) throw new HttpError(404, { detail: 'This upload URL is unknown, already used or expired; initiate a new upload.' });
    const { size } = await this.#d.blobs.put(file.blobKey, body, { maxBytes: limit });
    await this.#d.store.files.markReady(file.id, size);
    return { ...file, size, state: 'ready' };
  }

  /** Stores a runner's output file; the record is written later, with the request's completion. */
  async storeOutput(owner: string, requestId: string, localPath: string, contentType: string, fileName: string): Promise<FileRecord> {
    const id = randomUUID();
    const blobKey = `files/${id}`;
    const { size } = await this.#d.blobs.putFile(blobKey, localPath);
    return {
      id, token: newToken(), owner, requestId, blobKey, contentType, fileName: safeFileName(fileName, 'output.bin'),
      size, state: 'ready', uploadTokenHash: null, uploadExpiresAt: null, createdAt: this.#d.now(),
    };
  }

  /** A ready file by the token of its URL, or null. */
  async find(token: string): Promise<FileRecord | null> {
    const file = await this.#d.store.files.getByToken(token);
    return file?.state === 'ready' ? file : null;
  }
}
