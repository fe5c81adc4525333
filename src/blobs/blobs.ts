// The blob store contract: bytes by key. The local file system implements it by default and an
// S3-compatible store will by configuration; files' metadata lives in the SQL store, not here.
import type { Readable } from 'node:stream';
import { HttpError } from '../errors.ts';

export interface ByteRange {
  /** First byte, inclusive. */
  start: number;
  /** Last byte, inclusive. */
  end: number;
}

export interface BlobStore {
  /** Streams `body` into `key`, all or nothing: a failed or oversized write leaves no blob. */
  put(key: string, body: Readable, opts?: { maxBytes?: number }): Promise<{ size: number }>;
  /** Stores a local file under `key` (moved when possible). */
  putFile(key: string, localPath: string): Promise<{ size: number }>;
  /** Size of the blob, or null when there is none. */
  stat(key: string): Promise<{ size: number } | null>;
  read(key: string, range?: ByteRange): Readable;
  /** Copies the blob to a local file, for tools (ffmpeg, sharp) that want a path. */
  download(key: string, localPath: string): Promise<void>;
  delete(key: string): Promise<void>;
}

export class PayloadTooLarge extends HttpError {
  constructor(limit: number) {
    super(413, { detail: `The upload is larger than this server accepts (${limit} bytes); raise REELHOUSE_UPLOAD_LIMIT_MB to allow more.` });
  }
}
