// Multipart uploads, as fal's client does them above 90 MiB, and resumable beyond fal:
//
//   POST /rest/storage/upload/initiate-multipart        → {upload_url, file_url}
//   PUT  {upload_url}/{n}      (n = 1, 2, …; any size)   → {partNumber, etag}
//   GET  {upload_url}                                    → the parts held so far (resume from here)
//   POST {upload_url}/complete {parts: [{partNumber, etag}]} → {file_url, file_size}
//   DELETE {upload_url}                                  → abandons the upload
//   POST {upload_url}/{n}/url  (beyond fal)              → {url, direct, expires_at}: where part n
//                              may be PUT, the blob store itself (S3, presigned) when it can
//
// The upload URL is the credential (fal's client sends no key with parts): it stays usable for
// parts and listing until `complete` spends it or it expires. Each part is stored whole or not
// at all, so after any interruption `GET {upload_url}` says exactly which parts to send again.
import type { Readable } from 'node:stream';
import { z } from 'zod';
import { parseInput } from '../endpoints/validate.ts';
import { ValidationError } from '../errors.ts';
import type { FileRecord } from '../store/records.ts';
import { PayloadTooLarge, type PartInfo } from './blobs.ts';
import type { FileService, FileServiceDeps } from './files.ts';
import { hashToken, uploadGone } from './tokens.ts';

/** S3's limit, and so the most any blob store is asked to take. */
export const MAX_PARTS = 10_000;

const CompleteBody = z.object({
  parts: z
    .array(z.object({ partNumber: z.number().int().min(1).max(MAX_PARTS), etag: z.string().min(1).max(200) }))
    .min(1)
    .max(MAX_PARTS),
});

export interface UploadStatus {
  kind: 'single' | 'multipart';
  file_url: string;
  /** ISO 8601: the upload URL stops working then. */
  expires_at: string;
  max_upload_bytes: number;
  max_part_bytes?: number;
  /** Every part but the last must be at least this large (S3's 5 MiB; 0 on the local store). */
  min_part_bytes?: number;
  parts?: PartInfo[];
  received_bytes?: number;
}

export function parsePartNumber(value: string): number {
  const n = /^\d{1,5}$/.test(value) ? Number(value) : NaN;
  if (!(n >= 1 && n <= MAX_PARTS)) {
    throw new ValidationError([{ loc: ['path', 'part_number'], msg: `must be a whole number from 1 to ${MAX_PARTS}`, type: 'value_error' }]);
  }
  return n;
}

export class MultipartUploads {
  readonly #d: FileServiceDeps;
  readonly #files: FileService;

  constructor(deps: FileServiceDeps, files: FileService) {
    this.#d = deps;
    this.#files = files;
  }

  async initiate(owner: string, contentType: string, fileName: string, lifetimeMs: number | null = null): Promise<{ upload_url: string; file_url: string }> {
    const { file, uploadToken } = this.#files.newUpload(owner, contentType, fileName, 'multipart', lifetimeMs);
    file.uploadId = await this.#d.blobs.createMultipart(file.blobKey);
    await this.#d.store.files.insert(file);
    return { upload_url: this.#files.uploadUrl(uploadToken), file_url: this.#files.url(file, this.#files.uploadUrlExpiry(file)) };
  }

  async #live(uploadToken: string): Promise<FileRecord & { uploadId: string }> {
    const file = await this.#d.store.files.findUpload(hashToken(uploadToken), this.#d.now(), 'multipart');
    if (!file?.uploadId) throw uploadGone();
    return { ...file, uploadId: file.uploadId };
  }

  /** Stores part `partNumber`; sending a number again replaces that part. */
  async putPart(uploadToken: string, partNumber: number, body: Readable, declaredLength: number | undefined): Promise<{ partNumber: number; etag: string }> {
    const file = await this.#live(uploadToken);
    const others = (await this.#d.blobs.listParts(file.blobKey, file.uploadId)).filter((p) => p.partNumber !== partNumber);
    const held = others.reduce((sum, p) => sum + p.size, 0);
    const { partLimitBytes, uploadLimitBytes } = this.#d;
    const room = uploadLimitBytes - held;
    const tooLarge = room < partLimitBytes
      ? new PayloadTooLarge(uploadLimitBytes, `upload (with the parts already received, ${held} bytes)`)
      : new PayloadTooLarge(partLimitBytes, 'part', 'REELHOUSE_UPLOAD_PART_LIMIT_MB');
    const maxBytes = Math.min(partLimitBytes, room);
    if (declaredLength !== undefined && declaredLength > maxBytes) throw tooLarge;
    try {
      const part = await this.#d.blobs.putPart(file.blobKey, file.uploadId, partNumber, body, {
        maxBytes, ...(declaredLength !== undefined ? { length: declaredLength } : {}),
      });
      return { partNumber: part.partNumber, etag: part.etag };
    } catch (err) {
      throw err instanceof PayloadTooLarge ? tooLarge : err;
    }
  }

  /** What an upload URL has received so far: how a client resumes an interrupted upload. */
  async status(uploadToken: string): Promise<UploadStatus> {
    const hash = hashToken(uploadToken);
    const now = this.#d.now();
    const file = (await this.#d.store.files.findUpload(hash, now, 'multipart')) ?? (await this.#d.store.files.findUpload(hash, now, 'single'));
    if (!file) throw uploadGone();
    const base = {
      kind: file.uploadKind ?? 'single',
      file_url: this.#files.url(file, this.#files.uploadUrlExpiry(file)),
      expires_at: new Date(file.uploadExpiresAt ?? now).toISOString(),
      max_upload_bytes: this.#d.uploadLimitBytes,
    };
    if (file.uploadKind !== 'multipart' || !file.uploadId) return base;
    const parts = await this.#d.blobs.listParts(file.blobKey, file.uploadId);
    return {
      ...base, max_part_bytes: this.#d.partLimitBytes, min_part_bytes: this.#d.blobs.minPartBytes, parts,
      received_bytes: parts.reduce((s, p) => s + p.size, 0),
    };
  }

  /**
   * Where part `partNumber` may be PUT: a presigned URL of the blob store when it has them (the
   * bytes then skip this server; the part's etag comes back in the response's ETag header), else
   * this server's own part URL. Either way `complete` goes through this server.
   */
  async partUrl(uploadToken: string, partNumber: number): Promise<{ url: string; direct: boolean; expires_at: string }> {
    const file = await this.#live(uploadToken);
    const expiresAt = file.uploadExpiresAt ?? this.#d.now();
    const presigned = await this.#d.blobs.presignPart(file.blobKey, file.uploadId, partNumber, { expiresInMs: Math.max(1000, expiresAt - this.#d.now()) });
    return { url: presigned ?? `${this.#files.uploadUrl(uploadToken)}/${partNumber}`, direct: presigned !== null, expires_at: new Date(expiresAt).toISOString() };
  }

  /** Joins the parts named in `body` into the file, in their order, and spends the URL. */
  async complete(uploadToken: string, body: unknown): Promise<{ file_url: string; file_size: number }> {
    const { parts } = parseInput(CompleteBody, body);
    const file = await this.#live(uploadToken);
    const held = new Map((await this.#d.blobs.listParts(file.blobKey, file.uploadId)).map((p) => [p.partNumber, p]));
    let total = 0;
    parts.forEach((p, i) => {
      const prev = parts[i - 1];
      if (prev && prev.partNumber >= p.partNumber) {
        throw partError(i, 'partNumber', 'parts must be listed in ascending order of partNumber, each once');
      }
      const have = held.get(p.partNumber);
      if (!have) throw partError(i, 'partNumber', `part ${p.partNumber} was never received; PUT it to {upload_url}/${p.partNumber} first`);
      if (have.etag !== p.etag.replace(/"/g, '')) {
        throw partError(i, 'etag', `does not match the part received as number ${p.partNumber} (${have.etag}); it was replaced or never sent`);
      }
      const min = this.#d.blobs.minPartBytes;
      if (i < parts.length - 1 && have.size < min) {
        throw partError(i, 'partNumber', `part ${p.partNumber} is ${have.size} bytes; every part but the last must be at least ${min} bytes (the blob store's minimum, as S3's)`);
      }
      total += have.size;
    });
    if (total > this.#d.uploadLimitBytes) throw new PayloadTooLarge(this.#d.uploadLimitBytes);
    const taken = await this.#d.store.files.takeUpload(hashToken(uploadToken), this.#d.now(), 'multipart');
    if (!taken) throw uploadGone(); // another `complete` got there first
    const { size } = await this.#d.blobs.completeMultipart(file.blobKey, file.uploadId, parts);
    const ready = await this.#files.ready(taken, size);
    return { file_url: this.#files.url(ready), file_size: size };
  }

  /** Abandons an upload URL of either kind and whatever it received. */
  async abort(uploadToken: string): Promise<void> {
    const hash = hashToken(uploadToken);
    const now = this.#d.now();
    const file = (await this.#d.store.files.takeUpload(hash, now, 'multipart')) ?? (await this.#d.store.files.takeUpload(hash, now, 'single'));
    if (!file) throw uploadGone();
    if (file.uploadId) await this.#d.blobs.abortMultipart(file.blobKey, file.uploadId);
    await this.#d.store.files.delete(file.id);
  }
}

const partError = (index: number, field: string, msg: string): ValidationError =>
  new ValidationError([{ loc: ['body', 'parts', index, field], msg, type: 'value_error' }]);
