// File fields of an input: checked at submit (so a bad image is a 422 naming the field, not a
// failed job later) and resolved to local files by the worker before its runner starts.
import fsp from 'node:fs/promises';
import path from 'node:path';
import { buffer } from 'node:stream/consumers';
import type { BlobStore } from '../blobs/blobs.ts';
import { FileRefError, parseFileRef } from '../blobs/file-refs.ts';
import { IMAGE_FORMATS, sniffImage } from '../blobs/sniff.ts';
import type { Endpoint } from '../endpoints/registry.ts';
import { ValidationError } from '../errors.ts';
import type { InputFile } from '../runners/runner.ts';
import type { FileRecord } from '../store/records.ts';
import type { Store } from '../store/store.ts';

export interface FileInputDeps {
  store: Store;
  blobs: BlobStore;
  publicUrl: string;
  /** Largest decoded data URI accepted. */
  maxDataUriBytes: number;
}

type Located = { kind: 'data'; bytes: Buffer } | { kind: 'blob'; file: FileRecord };

const EXTENSIONS: Record<string, string> = {
  'image/png': '.png', 'image/jpeg': '.jpg', 'image/gif': '.gif', 'image/webp': '.webp',
  'image/avif': '.avif', 'image/heif': '.heic', 'image/tiff': '.tif', 'image/bmp': '.bmp',
};

async function locate(field: string, value: string, deps: FileInputDeps): Promise<Located> {
  let ref;
  try {
    ref = parseFileRef(value, deps.publicUrl, deps.maxDataUriBytes);
  } catch (err) {
    if (err instanceof FileRefError) throw ValidationError.field(field, `${field} ${err.message}`);
    throw err;
  }
  if (ref.kind === 'data') return { kind: 'data', bytes: ref.bytes };
  if (ref.kind === 'local') {
    const file = await deps.store.files.getByToken(ref.token);
    if (file?.state === 'ready') return { kind: 'blob', file };
    if (ref.own || file) {
      throw ValidationError.field(field, `${field} names a file that does not exist on this server (or whose upload never finished)`);
    }
  }
  throw ValidationError.field(
    field,
    `${field}: fetching files from other hosts is not supported by this server yet; upload the file first (fal.storage.upload) or pass a data URI`,
  );
}

async function headBytes(loc: Located, blobs: BlobStore): Promise<Uint8Array> {
  if (loc.kind === 'data') return loc.bytes.subarray(0, 32);
  if ((loc.file.size ?? 0) === 0) return new Uint8Array();
  return buffer(blobs.read(loc.file.blobKey, { start: 0, end: Math.min(31, (loc.file.size ?? 1) - 1) }));
}

function fieldValues(endpoint: Endpoint, input: Record<string, unknown>): [string, string][] {
  return endpoint.fileFields.flatMap((f) => (typeof input[f] === 'string' ? [[f, input[f]] as [string, string]] : []));
}

/** Throws a 422 naming the field when a file input is not a usable image. */
export async function checkFileInputs(endpoint: Endpoint, input: Record<string, unknown>, deps: FileInputDeps): Promise<void> {
  for (const [field, value] of fieldValues(endpoint, input)) {
    const loc = await locate(field, value, deps);
    if (!sniffImage(await headBytes(loc, deps.blobs))) {
      throw ValidationError.field(field, `${field} is not an image this server can read (${IMAGE_FORMATS})`, 'value_error.image');
    }
  }
}

/** Writes each file input into `dir` and returns where, by field. */
export async function resolveFileInputs(
  endpoint: Endpoint,
  input: Record<string, unknown>,
  deps: FileInputDeps,
  dir: string,
): Promise<Record<string, InputFile>> {
  const files: Record<string, InputFile> = {};
  for (const [field, value] of fieldValues(endpoint, input)) {
    const loc = await locate(field, value, deps);
    const contentType = sniffImage(await headBytes(loc, deps.blobs));
    if (!contentType) throw ValidationError.field(field, `${field} is not an image this server can read (${IMAGE_FORMATS})`, 'value_error.image');
    const file = path.join(dir, `${field}${EXTENSIONS[contentType] ?? ''}`);
    if (loc.kind === 'data') await fsp.writeFile(file, loc.bytes);
    else await deps.blobs.download(loc.file.blobKey, file);
    files[field] = { path: file, contentType };
  }
  return files;
}
