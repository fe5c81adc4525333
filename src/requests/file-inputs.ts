// File fields of an input. Each takes a file URL of this server (resolved through the blob store,
// no HTTP round trip), a data URI, or an http(s) URL the server fetches safely. They are checked
// twice: at submit, cheaply (so a bad value is a 422 naming the field before a request exists),
// and by the worker, fully, on the bytes it will actually use (a remote file is only fetched
// there, and DNS is checked again at fetch time).
//
// At submit: data URIs and uploads up to the data URI limit are checked in full (decoded small);
// bigger uploads by their first bytes (format, declared size); remote URLs by their scheme, host
// and resolved addresses. In the worker: every file in full, from local disk.
import fsp from 'node:fs/promises';
import path from 'node:path';
import { buffer } from 'node:stream/consumers';
import type { BlobStore } from '../blobs/blobs.ts';
import { checkUrl, RemoteFetchError, type FetchPolicy } from '../blobs/fetch/policy.ts';
import { fetchToFile } from '../blobs/fetch/safe-fetch.ts';
import { FileRefError, parseFileRef } from '../blobs/file-refs.ts';
import { describeBytes, sniffVideo } from '../blobs/sniff.ts';
import type { Endpoint } from '../endpoints/registry.ts';
import { ValidationError } from '../errors.ts';
import { checkImage, checkImageHead, MediaError, type ImageLimits } from '../media/image-check.ts';
import { probeVideo, type VideoLimits } from '../media/video-probe.ts';
import type { InputFile } from '../runners/runner.ts';
import type { FileRecord } from '../store/records.ts';
import type { Store } from '../store/store.ts';

/** How file inputs are fetched and which media they may hold. */
export interface InputPolicy {
  fetch: FetchPolicy;
  image: ImageLimits;
  video: VideoLimits;
  ffprobePath: string;
}

export interface FileInputDeps {
  store: Store;
  blobs: BlobStore;
  publicUrl: string;
  /** Largest decoded data URI accepted; uploads up to this size are checked in full at submit. */
  maxDataUriBytes: number;
  /** Fetch and media limits. */
  inputs: InputPolicy;
  /** Confirms an upload that went straight to the blob store (presigned PUT), which the server has not seen yet. */
  files?: { confirmUpload(file: FileRecord): Promise<FileRecord | null> };
  now?: () => number;
}

type Located = { kind: 'data'; bytes: Buffer } | { kind: 'blob'; file: FileRecord & { size: number } } | { kind: 'remote'; url: URL };

const HEAD_BYTES = 256 * 1024;

const EXTENSIONS: Record<string, string> = {
  'image/png': '.png', 'image/jpeg': '.jpg', 'image/gif': '.gif', 'image/webp': '.webp', 'image/avif': '.avif',
  'image/tiff': '.tif', 'video/mp4': '.mp4', 'video/quicktime': '.mov', 'video/webm': '.webm',
};

/** Fields named `*video_url` hold videos; every other file field holds an image. */
const isVideoField = (field: string): boolean => /video_url$/.test(field);

const fieldError = (field: string, msg: string, type = 'value_error'): ValidationError =>
  ValidationError.field(field, `${field} ${msg}`, type);

/** Runs `fn`, turning the errors of a bad input into a 422 naming the field. */
async function asField<T>(field: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof FileRefError) throw fieldError(field, err.message, 'value_error.url');
    if (err instanceof MediaError) throw fieldError(field, err.message, isVideoField(field) ? 'value_error.video' : 'value_error.image');
    if (err instanceof RemoteFetchError) {
      throw fieldError(field, err.message, err.code === 'refused' ? 'value_error.url.blocked' : 'value_error.url.fetch');
    }
    throw err;
  }
}

async function locate(field: string, value: string, deps: FileInputDeps): Promise<Located> {
  const ref = parseFileRef(value, deps.publicUrl, deps.maxDataUriBytes);
  if (ref.kind === 'data') return { kind: 'data', bytes: ref.bytes };
  if (ref.kind === 'local') {
    const found = await deps.store.files.getByToken(ref.token);
    const file = found?.state === 'pending' && deps.files ? ((await deps.files.confirmUpload(found)) ?? found) : found;
    const now = (deps.now ?? Date.now)();
    if (file?.state === 'ready' && file.size !== null && (file.expiresAt ?? Infinity) > now) {
      return { kind: 'blob', file: { ...file, size: file.size } };
    }
    if (file?.state === 'ready') throw fieldError(field, 'names a file of this server that has expired; upload it again');
    if (ref.own || file) throw fieldError(field, 'names a file that does not exist on this server (or whose upload never finished)');
    return { kind: 'remote', url: ref.url }; // another server with a path like ours
  }
  return { kind: 'remote', url: ref.url };
}

async function headOf(loc: Located, blobs: BlobStore): Promise<Uint8Array> {
  if (loc.kind === 'data') return loc.bytes.subarray(0, HEAD_BYTES);
  if (loc.kind !== 'blob' || loc.file.size === 0) return new Uint8Array();
  return buffer(blobs.read(loc.file.blobKey, { start: 0, end: Math.min(HEAD_BYTES, loc.file.size) - 1 }));
}

function checkVideoHead(head: Uint8Array): void {
  if (!sniffVideo(head)) throw new MediaError(`is not a video this server can read: it looks like ${describeBytes(head)}; send MP4, MOV, WebM or MKV`);
}

function fieldValues(endpoint: Endpoint, input: Record<string, unknown>): [string, string][] {
  return endpoint.fileFields.flatMap((f) => (typeof input[f] === 'string' ? [[f, input[f]] as [string, string]] : []));
}

/** Throws a 422 naming the field when a file input is not usable, as far as submit can tell. */
export async function checkFileInputs(endpoint: Endpoint, input: Record<string, unknown>, deps: FileInputDeps): Promise<void> {
  const policy = deps.inputs;
  for (const [field, value] of fieldValues(endpoint, input)) {
    await asField(field, async () => {
      const loc = await locate(field, value, deps);
      if (loc.kind === 'remote') {
        await checkUrl(loc.url, policy.fetch);
        return;
      }
      const head = await headOf(loc, deps.blobs);
      if (isVideoField(field)) return checkVideoHead(head);
      checkImageHead(head, policy.image);
      const small = loc.kind === 'data' ? loc.bytes : loc.file.size <= deps.maxDataUriBytes ? await buffer(deps.blobs.read(loc.file.blobKey)) : null;
      if (small) await checkImage(small, head, policy.image);
    });
  }
}

/** Writes each file input into `dir`, checked in full, and returns where, by field. */
export async function resolveFileInputs(
  endpoint: Endpoint,
  input: Record<string, unknown>,
  deps: FileInputDeps,
  dir: string,
  signal?: AbortSignal,
): Promise<Record<string, InputFile>> {
  const policy = deps.inputs;
  const files: Record<string, InputFile> = {};
  for (const [field, value] of fieldValues(endpoint, input)) {
    files[field] = await asField(field, async () => {
      const loc = await locate(field, value, deps);
      const raw = path.join(dir, `${field}.download`);
      if (loc.kind === 'data') await fsp.writeFile(raw, loc.bytes);
      else if (loc.kind === 'blob') await deps.blobs.download(loc.file.blobKey, raw);
      else await fetchToFile(loc.url.toString(), raw, policy.fetch, signal);
      const handle = await fsp.open(raw);
      const head = new Uint8Array(HEAD_BYTES);
      const { bytesRead } = await handle.read(head, 0, HEAD_BYTES, 0).finally(() => handle.close());
      const contentType = isVideoField(field)
        ? (checkVideoHead(head.subarray(0, bytesRead)), (await probeVideo(raw, policy.video, { ffprobePath: policy.ffprobePath })).contentType)
        : (await checkImage(raw, head.subarray(0, bytesRead), policy.image)).contentType;
      const file = path.join(dir, `${field}${EXTENSIONS[contentType] ?? ''}`);
      await fsp.rename(raw, file);
      return { path: file, contentType };
    });
  }
  return files;
}
