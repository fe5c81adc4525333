// The few calls `reelhouse run` makes to a server, with plain fetch: submit, upload, follow the
// status stream, result, cancel, download. Not `@fal-ai/client`: the command needs the HTTP
// status of every answer (its exit codes tell a 422 from a failure from a cancel), the additive
// `progress` of each status event, and the server's own URL for every call; the client would add
// a runtime dependency and hide the first two.
import fs from 'node:fs';
import path from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { resumeUpload } from '../resumable-upload.ts';
import type { StatusBody } from '../requests/status.ts';

/** An answer the server gave with an error status. */
export class ApiError extends Error {
  readonly status: number;
  readonly body: unknown;

  constructor(what: string, status: number, body: unknown) {
    const detail = (body as { detail?: unknown } | null)?.detail;
    super(`${what}: HTTP ${status}${typeof detail === 'string' ? `: ${detail}` : ''}`);
    this.status = status;
    this.body = body;
  }
}

/** The server could not be reached (refused, reset, DNS): exit status 1, not a request failure. */
export class UnreachableError extends Error {}

export type { StatusBody };

export interface Submitted {
  request_id: string;
}

/** What the result endpoint answered: the output (200) or the error the request ended with. */
export interface ResultAnswer {
  status: number;
  body: unknown;
}

// fal's client switches to multipart above 90 MiB; so does this, through resumeUpload.
const MULTIPART_ABOVE = 90 * 1024 * 1024;

const CONTENT_TYPES: Record<string, string> = {
  '.png': 'image/png', '.jpg': 'image/jpeg', '.jpeg': 'image/jpeg', '.webp': 'image/webp', '.gif': 'image/gif',
  '.avif': 'image/avif', '.tif': 'image/tiff', '.tiff': 'image/tiff', '.mp4': 'video/mp4', '.mov': 'video/quicktime',
  '.webm': 'video/webm',
};

async function readBody(res: Response): Promise<unknown> {
  const text = await res.text();
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/** A server at `baseUrl`, called with `key` (`key_id:key_secret`) when there is one. */
export class RunClient {
  readonly baseUrl: string;
  readonly #key: string | null;

  constructor(baseUrl: string, key: string | null) {
    this.baseUrl = baseUrl.replace(/\/+$/, '');
    this.#key = key;
  }

  async #fetch(what: string, url: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    // The key goes to the server's own API only, never to a file URL that may be another host.
    if (this.#key !== null && url.startsWith(`${this.baseUrl}/`)) headers.set('authorization', `Key ${this.#key}`);
    try {
      return await fetch(url, { ...init, headers });
    } catch (err) {
      if ((err as Error).name === 'AbortError') throw err;
      const cause = (err as { cause?: { code?: string; message?: string } }).cause;
      throw new UnreachableError(`${what}: cannot reach ${new URL(url).origin} (${cause?.code ?? cause?.message ?? (err as Error).message})`);
    }
  }

  async #json(what: string, url: string, init: RequestInit = {}): Promise<unknown> {
    const res = await this.#fetch(what, url, init);
    const body = await readBody(res);
    if (!res.ok) throw new ApiError(what, res.status, body);
    return body;
  }

  /** `/queue/{owner}/{alias}/requests/{id}`: built from the endpoint id as fal's client builds it. */
  requestUrl(endpointId: string, requestId: string): string {
    const [owner, alias] = endpointId.split('/');
    return `${this.baseUrl}/queue/${owner}/${alias}/requests/${requestId}`;
  }

  async submit(endpointId: string, input: unknown, signal?: AbortSignal): Promise<Submitted> {
    return (await this.#json('submit', `${this.baseUrl}/queue/${endpointId}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(input),
      signal,
    })) as Submitted;
  }

  /** Uploads a local file through the storage protocol; returns its file URL. */
  async upload(file: string, signal: AbortSignal, onProgress?: (fraction: number) => void): Promise<string> {
    const blob = await fs.openAsBlob(file);
    const contentType = CONTENT_TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream';
    const multipart = blob.size > MULTIPART_ABOVE;
    const session = (await this.#json('upload', `${this.baseUrl}/rest/storage/upload/initiate${multipart ? '-multipart' : ''}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ content_type: contentType, file_name: path.basename(file) }),
      signal,
    })) as { upload_url: string; file_url: string };
    if (multipart) {
      const doFetch: typeof fetch = (url, init) => fetch(url, { ...init, signal });
      return resumeUpload(session.upload_url, blob, { fetch: doFetch, onProgress: (sent, total) => onProgress?.(sent / total) });
    }
    const put = await this.#fetch('upload', session.upload_url, { method: 'PUT', body: blob, headers: { 'content-type': contentType }, signal });
    if (!put.ok) throw new ApiError('upload', put.status, await readBody(put));
    await put.body?.cancel();
    onProgress?.(1);
    return session.file_url;
  }

  /**
   * The request's status events (`…/status/stream`) until COMPLETED. A stream that ends early
   * (a server restarting, a proxy's timeout) is opened again; log lines already yielded are not
   * yielded twice, as each new stream starts with every line so far.
   */
  async *follow(requestUrl: string, withLogs: boolean, signal: AbortSignal): AsyncGenerator<StatusBody> {
    let logsYielded = 0;
    let failures = 0;
    for (;;) {
      let logsThisStream = 0;
      try {
        const res = await this.#fetch('status', `${requestUrl}/status/stream${withLogs ? '?logs=1' : ''}`, {
          headers: { accept: 'text/event-stream' },
          signal,
        });
        if (!res.ok) throw new ApiError('status', res.status, await readBody(res));
        for await (const event of serverSentEvents(res.body!)) {
          failures = 0;
          const body = event as StatusBody;
          const logs = body.logs ?? [];
          const fresh = logs.slice(Math.max(0, logsYielded - logsThisStream));
          logsThisStream += logs.length;
          logsYielded += fresh.length;
          yield { ...body, logs: fresh };
          if (body.status === 'COMPLETED') return;
        }
      } catch (err) {
        // A server restarting answers 502/503 for a moment (from its proxy, or while it stops).
        const transient = err instanceof UnreachableError || isStreamCut(err) || (err instanceof ApiError && err.status >= 502);
        if (!transient || signal.aborted) throw err;
        if (++failures > 10) throw err;
      }
      await new Promise((r) => setTimeout(r, Math.min(5000, 250 * 2 ** failures)));
      signal.throwIfAborted();
    }
  }

  async result(requestUrl: string): Promise<ResultAnswer> {
    const res = await this.#fetch('result', requestUrl);
    return { status: res.status, body: await readBody(res) };
  }

  /** `CANCELLATION_REQUESTED`, `ALREADY_COMPLETED` or `NOT_FOUND`. */
  async cancel(requestUrl: string): Promise<string> {
    const res = await this.#fetch('cancel', `${requestUrl}/cancel`, { method: 'PUT' });
    const body = (await readBody(res)) as { status?: string } | null;
    return body?.status ?? `HTTP ${res.status}`;
  }

  /** Saves the file at `url` to `dest` (through `dest.part`, renamed once complete). */
  async download(url: string, dest: string, signal: AbortSignal, onProgress?: (fraction: number | null) => void): Promise<number> {
    const res = await this.#fetch('download', url, { signal });
    if (!res.ok || !res.body) throw new ApiError('download', res.status, await readBody(res));
    const total = Number(res.headers.get('content-length')) || null;
    let got = 0;
    const count = new Transform({
      transform(chunk: Buffer, _enc, done) {
        got += chunk.length;
        onProgress?.(total ? got / total : null);
        done(null, chunk);
      },
    });
    const part = `${dest}.part`;
    try {
      await pipeline(Readable.fromWeb(res.body as WebReadableStream), count, fs.createWriteStream(part), { signal });
      fs.renameSync(part, dest);
    } catch (err) {
      fs.rmSync(part, { force: true });
      throw err;
    }
    return got;
  }
}

function isStreamCut(err: unknown): boolean {
  const code = (err as { code?: string; cause?: { code?: string } }).cause?.code ?? (err as { code?: string }).code;
  return (err as Error).name === 'TypeError' || code === 'ECONNRESET' || code === 'UND_ERR_SOCKET';
}

/** The JSON `data:` of each server-sent event; comments (keep-alives) are skipped. */
export async function* serverSentEvents(body: ReadableStream<Uint8Array>): AsyncGenerator<unknown> {
  const decoder = new TextDecoder();
  let buffer = '';
  for await (const chunk of body) {
    buffer += decoder.decode(chunk, { stream: true });
    let end: number;
    while ((end = buffer.search(/\r?\n\r?\n/)) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end).replace(/^\r?\n\r?\n/, '');
      const data = block
        .split(/\r?\n/)
        .filter((l) => l.startsWith('data:'))
        .map((l) => l.slice(5).replace(/^ /, ''))
        .join('\n');
      if (data) yield JSON.parse(data) as unknown;
    }
  }
}
