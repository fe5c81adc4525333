// The blob store contract: bytes by key. The local file system implements it by default and an
// S3-compatible store by configuration (S3_BUCKET); files' metadata lives in the SQL store, not
// here. test/blobs/contract.ts is the one suite both pass.
//
// The contract is S3's own shape, so an S3 implementation is a mapping, not a redesign:
// put/read/stat/delete are PutObject/GetObject(Range)/HeadObject/DeleteObject; the multipart
// methods are CreateMultipartUpload/UploadPart/ListParts/CompleteMultipartUpload/Abort; the
// presign methods let the API hand out URLs that go to the store directly. Nothing above this
// interface assumes a local path: `download` and `putFile` exist for the tools (ffmpeg, sharp)
// that want one, on the worker's own scratch disk.
import type { Readable } from 'node:stream';
import { HttpError } from '../errors.ts';

export interface ByteRange {
  /** First byte, inclusive. */
  start: number;
  /** Last byte, inclusive. */
  end: number;
}

export interface PartInfo {
  /** 1-based, as fal's client and S3 number them. */
  partNumber: number;
  /** The part's content hash (hex MD5, as S3 gives), which `complete` must name back. */
  etag: string;
  size: number;
}

export interface WriteOptions {
  /** The write fails (PayloadTooLarge) once the body passes this many bytes. */
  maxBytes?: number;
  /**
   * The body's length when known in advance (a Content-Length): a store that must declare it
   * (S3) then streams the body straight through instead of spooling it to disk first.
   */
  length?: number;
}

export interface BlobStore {
  /**
   * The smallest size of every part but the last that `completeMultipart` accepts: 0 for the
   * local store, S3's 5 MiB for S3.
   */
  readonly minPartBytes: number;
  /** Streams `body` into `key`, all or nothing: a failed or oversized write leaves no blob. */
  put(key: string, body: Readable, opts?: WriteOptions): Promise<{ size: number }>;
  /** Stores a local file under `key` (moved when possible). */
  putFile(key: string, localPath: string): Promise<{ size: number }>;
  /** Size of the blob, or null when there is none. */
  stat(key: string): Promise<{ size: number } | null>;
  read(key: string, range?: ByteRange): Readable;
  /** Copies the blob to a local file, for tools (ffmpeg, sharp) that want a path. */
  download(key: string, localPath: string): Promise<void>;
  delete(key: string): Promise<void>;

  /** Starts a multipart upload that will become `key`; returns its id. */
  createMultipart(key: string): Promise<string>;
  /**
   * Streams one part, all or nothing (an interrupted part leaves nothing, so it can be sent
   * again). Sending a part number again replaces that part.
   */
  putPart(key: string, uploadId: string, partNumber: number, body: Readable, opts?: WriteOptions): Promise<PartInfo>;
  /** The parts held so far, by part number; [] for an unknown upload. */
  listParts(key: string, uploadId: string): Promise<PartInfo[]>;
  /** Joins the named parts, in the order given, into `key`, and forgets the upload. */
  completeMultipart(key: string, uploadId: string, parts: readonly { partNumber: number; etag: string }[]): Promise<{ size: number }>;
  /** Forgets an upload and its parts; a no-op for an unknown one. */
  abortMultipart(key: string, uploadId: string): Promise<void>;

  /**
   * A URL that PUTs the whole body into `key` without going through this server, or null when
   * the store has none (the local file system): the server then receives the PUT itself.
   */
  presignPut(key: string, opts: { expiresInMs: number; contentType: string }): Promise<string | null>;
  /**
   * A URL that PUTs part `partNumber` of a multipart upload directly (the part's ETag comes back
   * in the response's `ETag` header), or null when the store has none.
   */
  presignPart(key: string, uploadId: string, partNumber: number, opts: { expiresInMs: number }): Promise<string | null>;
  /**
   * A URL that GETs `key` directly (reads redirected), or null: the server streams it. The
   * response then carries `contentType` and `contentDisposition` whatever the blob was stored with.
   */
  presignGet(key: string, opts: { expiresInMs: number; contentType?: string; contentDisposition?: string }): Promise<string | null>;
}

export class PayloadTooLarge extends HttpError {
  constructor(limit: number, what = 'upload', setting = 'REELHOUSE_UPLOAD_LIMIT_MB') {
    super(413, { detail: `The ${what} is larger than this server accepts (${limit} bytes); raise ${setting} to allow more.` });
  }
}
