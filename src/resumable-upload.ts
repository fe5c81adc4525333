// Finishing an interrupted multipart upload: ask the upload URL which parts the server holds,
// send only the missing (or different) ones, then complete. Works on any upload URL from
// `initiate-multipart`, including one fal's client started and gave up on.
//
//   import { resumeUpload } from './src/resumable-upload.ts';
//   const fileUrl = await resumeUpload(uploadUrl, await fs.openAsBlob('big.mp4'));
//
// Parts are cut as fal's client cuts them (10 MiB), so parts it already sent are reused. A held
// part is reused only when its MD5 matches the same slice of `file`: resuming with the wrong file
// re-sends everything rather than joining two files. Each part goes where `{upload_url}/{n}/url`
// says: straight to the blob store when the server keeps files in S3 (a presigned URL), else to
// the server; a server without that route gets the part at `{upload_url}/{n}`.
import { createHash } from 'node:crypto';

/** fal's client's part size (storage.ts). */
export const FAL_PART_SIZE = 10 * 1024 * 1024;

export interface ResumeOptions {
  fetch?: typeof fetch;
  partSize?: number;
  /** Called after each part is sent, with the bytes the server holds so far. */
  onProgress?: (sentBytes: number, totalBytes: number) => void;
}

interface Status {
  kind: string;
  parts?: { partNumber: number; etag: string; size: number }[];
}

async function json<T>(res: Response, what: string): Promise<T> {
  const body = await res.text();
  if (!res.ok) throw new Error(`${what}: HTTP ${res.status} ${body.slice(0, 300)}`);
  return JSON.parse(body) as T;
}

/** Where part `n` goes: the URL `{upload_url}/{n}/url` names, or the server's own part URL. */
async function partTarget(doFetch: typeof fetch, at: (suffix: string) => string, n: number): Promise<string> {
  const res = await doFetch(at(`${n}/url`), { method: 'POST' });
  if (res.status === 404 || res.status === 405) {
    await res.body?.cancel();
    return at(String(n));
  }
  return (await json<{ url: string }>(res, `part ${n} URL`)).url;
}

/** PUTs one part; its etag comes in the ETag header (S3 and reelhouse) or the JSON body (older servers). */
async function putPart(doFetch: typeof fetch, url: string, bytes: Uint8Array<ArrayBuffer>, n: number): Promise<string> {
  const res = await doFetch(url, { method: 'PUT', body: bytes });
  const header = res.headers.get('etag');
  if (res.ok && header) {
    await res.body?.cancel();
    return header.replace(/"/g, '');
  }
  return (await json<{ etag: string }>(res, `part ${n}`)).etag;
}

/** Completes the multipart upload at `uploadUrl` with the bytes of `file`; returns the file URL. */
export async function resumeUpload(uploadUrl: string, file: Blob, opts: ResumeOptions = {}): Promise<string> {
  const doFetch = opts.fetch ?? fetch;
  const partSize = opts.partSize ?? FAL_PART_SIZE;
  const url = new URL(uploadUrl);
  const at = (suffix: string): string => `${url.origin}${url.pathname}/${suffix}${url.search}`;
  const status = await json<Status>(await doFetch(uploadUrl), 'upload status');
  if (status.kind !== 'multipart') throw new Error('resumeUpload needs an upload URL from initiate-multipart');
  const held = new Map((status.parts ?? []).map((p) => [p.partNumber, p]));
  const count = Math.max(1, Math.ceil(file.size / partSize));
  const parts: { partNumber: number; etag: string }[] = [];
  let sent = 0;
  for (let n = 1; n <= count; n++) {
    const slice = file.slice((n - 1) * partSize, Math.min(n * partSize, file.size));
    const bytes = new Uint8Array(await slice.arrayBuffer());
    const etag = createHash('md5').update(bytes).digest('hex');
    const have = held.get(n);
    if (!have || have.etag !== etag || have.size !== bytes.length) {
      const stored = await putPart(doFetch, await partTarget(doFetch, at, n), bytes, n);
      if (stored !== etag) throw new Error(`part ${n}: the server stored different bytes (etag ${stored}, expected ${etag})`);
    }
    parts.push({ partNumber: n, etag });
    sent += bytes.length;
    opts.onProgress?.(sent, file.size);
  }
  const done = await doFetch(at('complete'), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ parts }),
  });
  return (await json<{ file_url: string }>(done, 'complete')).file_url;
}
