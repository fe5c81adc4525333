// The page's only way to the server: the same public API any client uses, with the key in the
// Authorization header. Uploads follow the storage protocol (initiate, then PUT the bytes).
import { sseEvents } from './sse.js';

/**
 * @typedef {{ loc: (string | number)[], msg: string, type: string }} FieldError
 * @typedef {{ status: 'IN_QUEUE' | 'IN_PROGRESS' | 'COMPLETED', request_id: string, queue_position?: number,
 *   logs?: { message: string, level: string, timestamp: string }[] | null,
 *   progress?: { fraction: number, stage: string, eta_seconds: number | null, preview_url: string | null },
 *   error?: string, error_type?: string, metrics?: { inference_time: number | null } }} StatusBody
 * @typedef {{ request_id: string, status_url: string, response_url: string, cancel_url: string }} Submitted
 * @typedef {Submitted & { endpoint_id: string, status: StatusBody['status'], state: string, created_at: string,
 *   started_at: string | null, finished_at: string | null, input: Record<string, unknown> | null, elided: string[],
 *   result: unknown, error: string | null, progress: { fraction: number, stage: string } | null }} HistoryEntry
 * @typedef {{ id: string, title: string, input: import('./schema.js').JsonSchema, file_fields: string[],
 *   example: Record<string, unknown> | null }} EndpointInfo
 */

/** A response that was not 2xx: its status and parsed body. */
export class ApiError extends Error {
  /** @param {number} status @param {unknown} body */
  constructor(status, body) {
    super(ApiError.describe(status, body));
    this.status = status;
    this.body = body;
  }

  /** The field errors of a 422, or none. @returns {FieldError[]} */
  get fieldErrors() {
    const detail = /** @type {{ detail?: unknown }} */ (this.body ?? {}).detail;
    return this.status === 422 && Array.isArray(detail) ? /** @type {FieldError[]} */ (detail) : [];
  }

  /** @param {number} status @param {unknown} body */
  static describe(status, body) {
    const detail = /** @type {{ detail?: unknown }} */ (body ?? {}).detail;
    if (typeof detail === 'string') return detail;
    if (Array.isArray(detail)) return /** @type {FieldError[]} */ (detail).map((e) => `${e.loc.join('.')}: ${e.msg}`).join('; ');
    return `HTTP ${status}`;
  }
}

export class Api {
  /** @param {string} key `key_id:key_secret` */
  constructor(key) {
    this.key = key;
  }

  /** @param {string} url @param {RequestInit & { json?: unknown }} [init] */
  async fetch(url, init = {}) {
    const headers = new Headers(init.headers);
    headers.set('authorization', `Key ${this.key}`);
    let body = init.body;
    if (init.json !== undefined) {
      headers.set('content-type', 'application/json');
      body = JSON.stringify(init.json);
    }
    const res = await fetch(url, { ...init, headers, body });
    if (!res.ok) throw new ApiError(res.status, /** @type {unknown} */ (await res.json().catch(() => null)));
    return res;
  }

  /**
   * The parsed JSON of a response, as the caller says it is shaped.
   * @template T @param {string} url @param {RequestInit & { json?: unknown }} [init] @returns {Promise<T>}
   */
  async json(url, init) {
    /** @type {unknown} */
    const data = await (await this.fetch(url, init)).json();
    return /** @type {T} */ (data);
  }

  /** @param {string} endpointId @param {Record<string, unknown>} input @returns {Promise<Submitted>} */
  submit(endpointId, input) {
    return this.json(`/queue/${endpointId}`, { method: 'POST', json: input });
  }

  /** A status with every log line so far. @param {string} statusUrl @param {AbortSignal} [signal] @returns {Promise<StatusBody>} */
  status(statusUrl, signal) {
    return this.json(`${statusUrl}?logs=1`, { signal });
  }

  /** @param {string} responseUrl @returns {Promise<unknown>} */
  result(responseUrl) {
    return this.json(responseUrl);
  }

  /** @param {string} cancelUrl */
  cancel(cancelUrl) {
    return this.fetch(cancelUrl, { method: 'PUT' }).then(() => undefined, (err) => {
      // 400 ALREADY_COMPLETED: it ended first, which is what the user wanted to know.
      if (!(err instanceof ApiError && err.status === 400)) throw err;
    });
  }

  /** @param {number} limit @returns {Promise<HistoryEntry[]>} */
  async history(limit = 30) {
    /** @type {{ requests: HistoryEntry[] }} */
    const page = await this.json(`/api/requests?limit=${limit}`);
    return page.requests;
  }

  /**
   * Status events until COMPLETED, with the new log lines of each.
   * @param {string} statusUrl @param {AbortSignal} signal @returns {AsyncGenerator<StatusBody>}
   */
  async* watch(statusUrl, signal) {
    const res = await this.fetch(`${statusUrl}/stream?logs=1`, { signal, headers: { accept: 'text/event-stream' } });
    if (!res.body) return;
    for await (const event of sseEvents(res.body)) yield /** @type {StatusBody} */ (event);
  }

  /**
   * Uploads a file through the storage protocol; resolves to the URL an input field takes.
   * @param {File} file @param {(fraction: number) => void} onProgress @returns {Promise<string>}
   */
  async upload(file, onProgress) {
    const contentType = file.type || 'application/octet-stream';
    /** @type {{ upload_url: string, file_url: string }} */
    const { upload_url: uploadUrl, file_url: fileUrl } = await this.json('/rest/storage/upload/initiate', {
      method: 'POST', json: { content_type: contentType, file_name: file.name },
    });
    // XMLHttpRequest, not fetch: only it reports upload progress.
    await new Promise((resolve, reject) => {
      const xhr = new XMLHttpRequest();
      xhr.open('PUT', uploadUrl);
      xhr.setRequestHeader('content-type', contentType);
      xhr.upload.onprogress = (e) => { if (e.lengthComputable) onProgress(e.loaded / e.total); };
      xhr.onload = () => {
        if (xhr.status >= 200 && xhr.status < 300) resolve(undefined);
        else reject(new ApiError(xhr.status, safeJson(xhr.responseText)));
      };
      xhr.onerror = () => reject(new Error('The upload failed: the server could not be reached'));
      xhr.send(file);
    });
    return fileUrl;
  }
}

/** @param {string} text */
function safeJson(text) {
  try {
    /** @type {unknown} */
    const data = JSON.parse(text);
    return data;
  } catch {
    return null;
  }
}

/** The endpoints and their input schemas, public like /openapi.json. */
export async function loadEndpoints() {
  const res = await fetch('/playground/endpoints.json');
  if (!res.ok) throw new ApiError(res.status, /** @type {unknown} */ (await res.json().catch(() => null)));
  /** @type {unknown} */
  const body = await res.json();
  return /** @type {{ public_url: string, endpoints: EndpointInfo[] }} */ (body);
}
