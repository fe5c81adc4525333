// Files as the API sees them: upload sessions (a single-use, expiring PUT URL that needs no key,
// as fal's client sends none), outputs of requests, their lifetimes and their public URLs.
// Multipart sessions are in multipart.ts.
import { randomUUID } from 'node:crypto';
import type { Readable } from 'node:stream';
import type { FileRecord } from '../store/records.ts';
import type { Store } from '../store/store.ts';
import { HttpError } from '../errors.ts';
import { PayloadTooLarge, type BlobStore } from './blobs.ts';
import { confirmDirectUpload, isDirectUpload, markReady } from './direct-uploads.ts';
import { MultipartUploads } from './multipart.ts';
import { hashToken, newToken, uploadGone } from './tokens.ts';
import type { UrlSigner } from './url-signing.ts';

export interface FileServiceDeps {
  store: Store;
  blobs: BlobStore;
  publicUrl: string;
  uploadUrlTtlMs: number;
  /** Largest file an upload URL takes, in one PUT or in parts. */
  uploadLimitBytes: number;
  /** Largest single part of a multipart upload. */
  partLimitBytes: number;
  /** How long a file lives when nobody asked for a lifetime. */
  defaultLifetimeMs: number;
  /** Set in signed-URL mode: file URLs then need a valid signature. */
  signer: UrlSigner | null;
  now: () => number;
}

/** A name safe in a URL path and a Content-Disposition header. */
export function safeFileName(name: string | undefined, fallback: string): string {
  const base = (name ?? '').split(/[\\/]/).pop() ?? '';
  const clean = base.replace(/[^\w.-]+/g, '_').replace(/^\.+/, '').slice(0, 120);
  return clean || fallback;
}

/** What a file URL request presents: the token of its path and the signature of its query. */
export interface FileAccess {
  token: string;
  exp?: unknown;
  sig?: unknown;
}

export class FileService {
  readonly #d: FileServiceDeps;
  /** Multipart upload sessions: parts, their listing (resuming), completion. */
  readonly multipart: MultipartUploads;

  constructor(deps: FileServiceDeps) {
    this.#d = deps;
    this.multipart = new MultipartUploads(deps, this);
  }

  /** The public URL of a file; in signed mode it carries its expiry and signature. */
  url(file: Pick<FileRecord, 'token' | 'fileName' | 'expiresAt'>, expiresAt = file.expiresAt): string {
    const base = `${this.#d.publicUrl}/files/${file.token}/${encodeURIComponent(file.fileName)}`;
    if (!this.#d.signer) return base;
    return `${base}?${this.#d.signer.query(file.token, expiresAt ?? this.#d.now() + this.#d.defaultLifetimeMs)}`;
  }

  uploadUrl(uploadToken: string): string {
    return `${this.#d.publicUrl}/files/upload/${uploadToken}`;
  }

  /** A pending upload's record; `lifetimeMs` null means the default retention. */
  newUpload(owner: string, contentType: string, fileName: string, kind: 'single' | 'multipart', lifetimeMs: number | null) {
    const uploadToken = newToken();
    const now = this.#d.now();
    const id = randomUUID();
    const file: FileRecord = {
      id, token: newToken(), owner, requestId: null, blobKey: `files/${id}`, contentType,
      fileName: safeFileName(fileName, 'upload.bin'), size: null, state: 'pending',
      uploadTokenHash: hashToken(uploadToken), uploadExpiresAt: now + this.#d.uploadUrlTtlMs,
      uploadKind: kind, uploadId: null, lifetimeMs, expiresAt: null, createdAt: now,
    };
    return { file, uploadToken };
  }

  /** The longest a pending upload's file can live: what its URL is signed for. */
  uploadUrlExpiry(file: FileRecord): number {
    return (file.uploadExpiresAt ?? this.#d.now()) + (file.lifetimeMs ?? this.#d.defaultLifetimeMs);
  }

  async initiateUpload(owner: string, contentType: string, fileName: string, lifetimeMs: number | null = null): Promise<{ upload_url: string; file_url: string }> {
    const { file, uploadToken } = this.newUpload(owner, contentType, fileName, 'single', lifetimeMs);
    // A store with URLs of its own (S3) takes the PUT directly; the file is confirmed when first
    // asked for (direct-uploads.ts).
    const direct = await this.#d.blobs.presignPut(file.blobKey, { expiresInMs: this.#d.uploadUrlTtlMs, contentType });
    if (direct) file.uploadTokenHash = null;
    await this.#d.store.files.insert(file);
    return { upload_url: direct ?? this.uploadUrl(uploadToken), file_url: this.url(file, this.uploadUrlExpiry(file)) };
  }

  /** Stores the body of an upload PUT. The URL is spent by the first PUT that reaches it. */
  async receiveUpload(uploadToken: string, body: Readable, declaredLength: number | undefined): Promise<FileRecord> {
    const limit = this.#d.uploadLimitBytes;
    const hash = hashToken(uploadToken);
    const now = this.#d.now();
    if (!(await this.#d.store.files.findUpload(hash, now, 'single'))) {
      if (await this.#d.store.files.findUpload(hash, now, 'multipart')) {
        throw new HttpError(409, { detail: 'This is a multipart upload URL: PUT the parts to {upload_url}/{part number}, then POST {upload_url}/complete.' });
      }
      throw uploadGone();
    }
    if (declaredLength !== undefined && declaredLength > limit) throw new PayloadTooLarge(limit);
    const file = await this.#d.store.files.takeUpload(hash, now, 'single');
    if (!file) throw uploadGone();
    const { size } = await this.#d.blobs.put(file.blobKey, body, { maxBytes: limit, ...(declaredLength !== undefined ? { length: declaredLength } : {}) });
    return this.ready(file, size);
  }

  /** Marks an upload's bytes as stored; its lifetime starts now. */
  async ready(file: FileRecord, size: number): Promise<FileRecord> {
    return markReady(this.#d, file, size);
  }

  /**
   * Stores a runner's output file; the record is written later, with the request's completion.
   * `lifetimeMs` is what the submit asked for (x-fal-object-lifecycle-preference), if anything.
   */
  async storeOutput(
    owner: string, requestId: string, localPath: string, contentType: string, fileName: string, lifetimeMs: number | null,
  ): Promise<FileRecord> {
    const id = randomUUID();
    const blobKey = `files/${id}`;
    const { size } = await this.#d.blobs.putFile(blobKey, localPath);
    const now = this.#d.now();
    const lifetime = lifetimeMs ?? this.#d.defaultLifetimeMs;
    return {
      id, token: newToken(), owner, requestId, blobKey, contentType, fileName: safeFileName(fileName, 'output.bin'),
      size, state: 'ready', uploadTokenHash: null, uploadExpiresAt: null, uploadKind: null, uploadId: null,
      lifetimeMs: null, expiresAt: now + lifetime, createdAt: now,
    };
  }

  /** A ready, unexpired file by the token of its URL, or null. */
  async find(token: string): Promise<FileRecord | null> {
    const file = await this.#d.store.files.getByToken(token);
    if (!file) return null;
    const now = this.#d.now();
    if (file.state === 'pending') return this.confirmUpload(file);
    return (file.expiresAt ?? Infinity) <= now ? null : file;
  }

  /** Whether a file URL request may read: always for capability URLs, a valid signature otherwise. */
  authorised(access: FileAccess): boolean {
    return !this.#d.signer || this.#d.signer.verify(access.token, access.exp, access.sig, this.#d.now());
  }

  /** How long until a file expires (a year for one that never does). */
  lifeLeftMs(file: Pick<FileRecord, 'expiresAt'>): number {
    return file.expiresAt == null ? 365 * 86_400_000 : Math.max(0, file.expiresAt - this.#d.now());
  }

  /**
   * A URL the bytes can be fetched from directly (a store with URLs of its own), with how long it
   * is valid, or null. The URL's response carries the file's type and name whatever the bytes
   * were stored with.
   */
  async directReadUrl(file: FileRecord, access?: FileAccess): Promise<{ url: string; expiresInMs: number } | null> {
    // In signed mode the bucket's URL dies no later than the signed URL that led to it.
    const signedLeft = this.#d.signer && typeof access?.exp === 'string' ? Number(access.exp) * 1000 - this.#d.now() : Infinity;
    const expiresInMs = Math.max(1000, Math.min(this.lifeLeftMs(file), signedLeft, 3_600_000));
    const url = await this.#d.blobs.presignGet(file.blobKey, { expiresInMs, contentType: file.contentType, contentDisposition: `inline; filename="${file.fileName}"` });
    return url === null ? null : { url, expiresInMs };
  }

  /**
   * A pending upload made ready if it went straight to the blob store and its bytes are there;
   * null while they are not (or when they were over the limit, and so deleted).
   */
  async confirmUpload(file: FileRecord): Promise<FileRecord | null> {
    if (!isDirectUpload(file)) return null;
    const confirmed = await confirmDirectUpload(this.#d, file);
    return confirmed.kind === 'ready' ? confirmed.file : null;
  }
}
