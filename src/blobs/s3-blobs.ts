// Blobs in an S3-compatible bucket (AWS S3, MinIO, Ceph, Swift's S3 API, R2, …): the contract of
// blobs.ts mapped onto PutObject/GetObject/HeadObject/DeleteObject and the multipart calls, and
// presigned URLs so uploads and reads can go to the bucket without passing through the server.
//
// S3 wants a body's length before it starts: a body whose length is known (a Content-Length, a
// file) streams straight through; one whose length is not is spooled to a temporary file first,
// so memory stays flat either way.
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { PassThrough, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  AbortMultipartUploadCommand, CompleteMultipartUploadCommand, CreateMultipartUploadCommand, DeleteObjectCommand,
  GetObjectCommand, HeadObjectCommand, ListPartsCommand, PutObjectCommand, UploadPartCommand, type S3Client,
} from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import type { S3Config } from '../config.ts';
import { PayloadTooLarge, type BlobStore, type ByteRange, type PartInfo, type WriteOptions } from './blobs.ts';
import { byteLimit } from './byte-limit.ts';
import { checkBucket, s3Client } from './s3-client.ts';

/** S3's smallest part (all but the last). */
const MIN_PART = 5 * 1024 * 1024;
/** Files above this go up in parts, so a failure costs one part, not the whole file; S3's single PUT stops at 5 GiB. */
const FILE_PARTS = { above: 512 * 1024 * 1024, size: 64 * 1024 * 1024 };
/** SigV4 presigned URLs live at most a week. */
const MAX_PRESIGN_S = 7 * 86_400;

const errName = (err: unknown): string | undefined => (err as { name?: string }).name;
const isMissing = (err: unknown): boolean =>
  ['NotFound', 'NoSuchKey', 'NoSuchUpload'].includes(errName(err) ?? '') || (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 404;
const unquote = (etag: string | undefined): string => (etag ?? '').replace(/"/g, '');
const seconds = (ms: number): number => Math.max(1, Math.min(MAX_PRESIGN_S, Math.ceil(ms / 1000)));

export interface S3BlobStoreOptions {
  config: S3Config;
  /** Where bodies of unknown length are spooled before they go up. */
  tmpDir: string;
  /** `putFile` sends files larger than `above` in parts of `size` (tests make them small). */
  fileParts?: { above: number; size: number };
}

export class S3BlobStore implements BlobStore {
  readonly minPartBytes = MIN_PART;
  readonly #s3: S3Client;
  /** Signs URLs for the endpoint clients reach (S3_PUBLIC_ENDPOINT), which may not be the server's. */
  readonly #signer: S3Client;
  readonly #bucket: string;
  readonly #prefix: string;
  readonly #config: S3Config;
  readonly #tmp: string;
  readonly #fileParts: { above: number; size: number };

  constructor(opts: S3BlobStoreOptions) {
    const { config } = opts;
    this.#config = config;
    this.#s3 = s3Client(config);
    this.#signer = config.publicEndpoint ? s3Client(config, config.publicEndpoint) : this.#s3;
    this.#bucket = config.bucket;
    this.#prefix = config.prefix;
    this.#tmp = opts.tmpDir;
    this.#fileParts = opts.fileParts ?? FILE_PARTS;
    fs.mkdirSync(this.#tmp, { recursive: true });
  }

  /** A store whose bucket has been checked: throws S3Unavailable, naming the setting to fix, when it cannot be used. */
  static async open(opts: S3BlobStoreOptions): Promise<S3BlobStore> {
    const store = new S3BlobStore(opts);
    try {
      await checkBucket(store.#s3, opts.config);
    } catch (err) {
      store.close();
      throw err;
    }
    return store;
  }

  /** Closes the client's sockets. */
  close(): void {
    this.#s3.destroy();
    if (this.#signer !== this.#s3) this.#signer.destroy();
  }

  #key(key: string): string {
    if (!/^[\w./-]+$/.test(key) || key.split('/').some((p) => p === '..' || p === '.' || p === '')) {
      throw new Error(`invalid blob key ${JSON.stringify(key)}`);
    }
    return this.#prefix + key;
  }

  /**
   * Calls `send` with a body S3 can take: `body` itself (behind the byte limit) when its length
   * is known, else a spooled copy of it. A body that ends short of its declared length fails the
   * request, so nothing is stored.
   */
  async #withLength<T>(body: Readable, opts: WriteOptions, send: (body: Readable, length: number, signal?: AbortSignal) => Promise<T>): Promise<T> {
    const maxBytes = opts.maxBytes ?? Number.MAX_SAFE_INTEGER;
    if (opts.length !== undefined) {
      if (opts.length > maxBytes) throw new PayloadTooLarge(maxBytes);
      const limited = byteLimit(maxBytes, { size: 0 });
      // A body that fails midway (a client gone) must fail the request to S3 too, or S3 would
      // wait for the bytes still owed on the declared length.
      const abort = new AbortController();
      let failure: Error | null = null;
      body.once('error', (err) => limited.destroy(err));
      limited.once('error', (err) => {
        failure = err;
        abort.abort(err);
      });
      return send(body.pipe(limited), opts.length, abort.signal).catch((err: unknown) => {
        throw failure ?? err;
      });
    }
    const tmp = path.join(this.#tmp, randomUUID());
    try {
      const counted = { size: 0 };
      await pipeline(body, byteLimit(maxBytes, counted), fs.createWriteStream(tmp, { highWaterMark: 1 << 20 }));
      return await send(fs.createReadStream(tmp, { highWaterMark: 1 << 20 }), counted.size);
    } finally {
      await fsp.rm(tmp, { force: true });
    }
  }

  async put(key: string, body: Readable, opts: WriteOptions = {}): Promise<{ size: number }> {
    const Key = this.#key(key);
    return this.#withLength(body, opts, async (stream, length, abortSignal) => {
      await this.#s3.send(new PutObjectCommand({ Bucket: this.#bucket, Key, Body: stream, ContentLength: length }), { abortSignal });
      return { size: length };
    });
  }

  async putFile(key: string, localPath: string): Promise<{ size: number }> {
    const Key = this.#key(key);
    const { size } = await fsp.stat(localPath);
    const { above, size: partSize } = this.#fileParts;
    if (size <= above) {
      await this.#s3.send(new PutObjectCommand({ Bucket: this.#bucket, Key, Body: fs.createReadStream(localPath, { highWaterMark: 1 << 20 }), ContentLength: size }));
      return { size };
    }
    const uploadId = await this.createMultipart(key);
    try {
      const parts: PartInfo[] = [];
      for (let start = 0, n = 1; start < size; start += partSize, n++) {
        const end = Math.min(size, start + partSize) - 1;
        parts.push(await this.putPart(key, uploadId, n, fs.createReadStream(localPath, { start, end, highWaterMark: 1 << 20 }), { length: end - start + 1 }));
      }
      return await this.completeMultipart(key, uploadId, parts);
    } catch (err) {
      await this.abortMultipart(key, uploadId).catch(() => undefined);
      throw err;
    }
  }

  async stat(key: string): Promise<{ size: number } | null> {
    try {
      const head = await this.#s3.send(new HeadObjectCommand({ Bucket: this.#bucket, Key: this.#key(key) }));
      return { size: head.ContentLength ?? 0 };
    } catch (err) {
      if (isMissing(err)) return null;
      throw err;
    }
  }

  read(key: string, range?: ByteRange): Readable {
    const out = new PassThrough({ highWaterMark: 256 * 1024 });
    const abort = new AbortController();
    // A reader that stops early (a client gone mid-download) frees the connection to S3 too.
    out.once('close', () => abort.abort());
    const Key = this.#key(key);
    this.#s3
      .send(new GetObjectCommand({ Bucket: this.#bucket, Key, ...(range ? { Range: `bytes=${range.start}-${range.end}` } : {}) }), { abortSignal: abort.signal })
      .then(
        (res) => pipeline(res.Body as Readable, out).catch((err: unknown) => out.destroy(err as Error)),
        (err: unknown) => {
          const e = isMissing(err) ? Object.assign(new Error(`no blob ${key}`), { code: 'ENOENT' }) : (err as Error);
          out.destroy(e);
        },
      );
    return out;
  }

  async download(key: string, localPath: string): Promise<void> {
    const res = await this.#s3.send(new GetObjectCommand({ Bucket: this.#bucket, Key: this.#key(key) }));
    await pipeline(res.Body as Readable, fs.createWriteStream(localPath, { highWaterMark: 1 << 20 }));
  }

  async delete(key: string): Promise<void> {
    await this.#s3.send(new DeleteObjectCommand({ Bucket: this.#bucket, Key: this.#key(key) }));
  }

  async createMultipart(key: string): Promise<string> {
    const res = await this.#s3.send(new CreateMultipartUploadCommand({ Bucket: this.#bucket, Key: this.#key(key) }));
    if (!res.UploadId) throw new Error('S3 started a multipart upload without an upload id');
    return res.UploadId;
  }

  async putPart(key: string, uploadId: string, partNumber: number, body: Readable, opts: WriteOptions = {}): Promise<PartInfo> {
    const Key = this.#key(key);
    return this.#withLength(body, opts, async (stream, length, abortSignal) => {
      // S3's part ETag is the part's MD5 (for unencrypted and SSE-S3 objects; SSE-KMS gives
      // another tag, which `complete` accepts just the same, and resumable uploads then resend).
      const res = await this.#s3.send(new UploadPartCommand({ Bucket: this.#bucket, Key, UploadId: uploadId, PartNumber: partNumber, Body: stream, ContentLength: length }), { abortSignal });
      return { partNumber, etag: unquote(res.ETag), size: length };
    });
  }

  async listParts(key: string, uploadId: string): Promise<PartInfo[]> {
    const parts: PartInfo[] = [];
    let marker: string | undefined;
    try {
      for (;;) {
        const res = await this.#s3.send(new ListPartsCommand({ Bucket: this.#bucket, Key: this.#key(key), UploadId: uploadId, ...(marker ? { PartNumberMarker: marker } : {}) }));
        for (const p of res.Parts ?? []) parts.push({ partNumber: p.PartNumber ?? 0, etag: unquote(p.ETag), size: p.Size ?? 0 });
        if (!res.IsTruncated || !res.NextPartNumberMarker) break;
        marker = res.NextPartNumberMarker;
      }
    } catch (err) {
      if (isMissing(err)) return [];
      throw err;
    }
    return parts.sort((a, b) => a.partNumber - b.partNumber);
  }

  async completeMultipart(key: string, uploadId: string, parts: readonly { partNumber: number; etag: string }[]): Promise<{ size: number }> {
    const Key = this.#key(key);
    await this.#s3.send(new CompleteMultipartUploadCommand({
      Bucket: this.#bucket, Key, UploadId: uploadId,
      MultipartUpload: { Parts: parts.map((p) => ({ PartNumber: p.partNumber, ETag: `"${unquote(p.etag)}"` })) },
    }));
    const size = (await this.stat(key))?.size;
    if (size === undefined) throw new Error(`S3 completed the upload of ${key} but has no object under it`);
    return { size };
  }

  async abortMultipart(key: string, uploadId: string): Promise<void> {
    try {
      await this.#s3.send(new AbortMultipartUploadCommand({ Bucket: this.#bucket, Key: this.#key(key), UploadId: uploadId }));
    } catch (err) {
      if (!isMissing(err)) throw err;
    }
  }

  // The content type is left out of the signature: fal's client sends its own, and a URL that
  // only works with one exact header would turn a harmless difference into a 403.
  async presignPut(key: string, opts: { expiresInMs: number; contentType: string }): Promise<string | null> {
    if (this.#config.uploads !== 'presigned') return null;
    return getSignedUrl(this.#signer, new PutObjectCommand({ Bucket: this.#bucket, Key: this.#key(key) }), { expiresIn: seconds(opts.expiresInMs) });
  }

  async presignPart(key: string, uploadId: string, partNumber: number, opts: { expiresInMs: number }): Promise<string | null> {
    if (this.#config.uploads !== 'presigned') return null;
    const command = new UploadPartCommand({ Bucket: this.#bucket, Key: this.#key(key), UploadId: uploadId, PartNumber: partNumber });
    return getSignedUrl(this.#signer, command, { expiresIn: seconds(opts.expiresInMs) });
  }

  async presignGet(key: string, opts: { expiresInMs: number; contentType?: string; contentDisposition?: string }): Promise<string | null> {
    if (this.#config.reads !== 'presigned') return null;
    const command = new GetObjectCommand({
      Bucket: this.#bucket, Key: this.#key(key),
      ...(opts.contentType ? { ResponseContentType: opts.contentType } : {}),
      ...(opts.contentDisposition ? { ResponseContentDisposition: opts.contentDisposition } : {}),
    });
    return getSignedUrl(this.#signer, command, { expiresIn: seconds(opts.expiresInMs) });
  }
}
