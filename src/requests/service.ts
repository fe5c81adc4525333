// The request lifecycle as the edge sees it: submit, status, result, cancel, and waiting for
// the end (the synchronous `/run`). Ownership is checked here: a request is its owner's alone.
import { randomUUID } from 'node:crypto';
import type { BlobStore } from '../blobs/blobs.ts';
import type { EndpointRegistry } from '../endpoints/registry.ts';
import { parseInput } from '../endpoints/validate.ts';
import { HttpError, ValidationError, notFound } from '../errors.ts';
import type { Priority, RequestRecord } from '../store/records.ts';
import type { Store } from '../store/store.ts';
import type { RequestEvents } from './events.ts';
import { cancelledOutcome } from './failures.ts';
import { checkFileInputs } from './file-inputs.ts';
import { isTerminal } from './state.ts';
import { statusBody, statusCode, type StatusBody } from './status.ts';

export interface RequestServiceDeps {
  store: Store;
  blobs: BlobStore;
  endpoints: EndpointRegistry;
  events: RequestEvents;
  publicUrl: string;
  maxAttempts: number;
  maxDataUriBytes: number;
  now: () => number;
}

export interface SubmitOptions {
  priority: Priority;
  webhookUrl: string | null;
}

export interface HttpAnswer {
  status: number;
  body: unknown;
  headers: Record<string, string>;
}

/** `owner/alias` of an endpoint id: what status, result and cancel URLs keep of it. */
export function appOf(endpointId: string): string {
  return endpointId.split('/').slice(0, 2).join('/');
}

export class RequestService {
  readonly #d: RequestServiceDeps;

  constructor(deps: RequestServiceDeps) {
    this.#d = deps;
  }

  async submit(endpointId: string, rawInput: unknown, owner: string, opts: SubmitOptions): Promise<RequestRecord> {
    const endpoint = this.#d.endpoints.get(endpointId);
    if (!endpoint) throw notFound(`Endpoint ${endpointId} not found`);
    const input = parseInput(endpoint.input, rawInput) as Record<string, unknown>;
    endpoint.check?.(input);
    await checkFileInputs(endpoint, input, this.#d);
    const request = await this.#d.store.requests.insert({
      id: randomUUID(),
      endpointId,
      app: appOf(endpointId),
      owner,
      priority: opts.priority,
      input,
      webhookUrl: opts.webhookUrl,
      maxAttempts: this.#d.maxAttempts,
      createdAt: this.#d.now(),
    });
    this.#d.events.submitted();
    return request;
  }

  /** The request if `owner` may see it under `app`; 404 for anyone else, as if it did not exist. */
  async get(app: string, id: string, owner: string): Promise<RequestRecord> {
    const r = await this.#d.store.requests.get(id);
    if (!r || r.owner !== owner || r.app !== app) throw new HttpError(404, { detail: `Request ${id} not found` });
    return r;
  }

  async status(r: RequestRecord, withLogs: boolean): Promise<{ code: number; body: StatusBody }> {
    const [queuePosition, logs] = await Promise.all([
      r.state === 'queued' ? this.#d.store.requests.queuePosition(r.id) : Promise.resolve(null),
      withLogs ? this.#d.store.logs.list(r.id) : Promise.resolve(null),
    ]);
    return { code: statusCode(r), body: statusBody(this.#d.publicUrl, r, { queuePosition, logs }) };
  }

  /** What the result endpoint answers: the output, or the error the request ended with. */
  result(r: RequestRecord): HttpAnswer {
    const headers: Record<string, string> = { 'x-fal-request-id': r.id };
    if (!isTerminal(r.state)) return { status: 400, body: { detail: 'Request is still in progress' }, headers };
    if (r.state === 'succeeded') return { status: 200, body: r.result, headers };
    const f = r.failure ?? { status: 500, detail: 'The request ended without a result.', errorType: 'internal_error' };
    headers['x-fal-error-type'] = f.errorType;
    return { status: f.status, body: { detail: f.detail, error_type: f.errorType }, headers };
  }

  async cancel(r: RequestRecord): Promise<HttpAnswer> {
    const outcome = await this.#d.store.requests.cancel(r.id, this.#d.now(), cancelledOutcome());
    if (outcome === 'cancel_requested') this.#d.events.cancelRequested(r.id);
    this.#d.events.changed(r.id);
    const headers = { 'x-fal-request-id': r.id };
    if (outcome === 'already_completed') return { status: 400, body: { status: 'ALREADY_COMPLETED' }, headers };
    if (outcome === 'not_found') return { status: 404, body: { status: 'NOT_FOUND' }, headers };
    return { status: 202, body: { status: 'CANCELLATION_REQUESTED' }, headers };
  }

  /** Resolves with the request once it is finished. Events wake it early; the timer is the floor. */
  async waitUntilDone(id: string, signal?: AbortSignal, pollMs = 1000): Promise<RequestRecord> {
    for (;;) {
      let wake!: () => void;
      const woken = new Promise<void>((resolve) => (wake = resolve));
      const off = this.#d.events.onChanged(id, wake);
      try {
        const r = await this.#d.store.requests.get(id);
        if (!r) throw notFound(`Request ${id} not found`);
        if (isTerminal(r.state)) return r;
        signal?.throwIfAborted();
        const timer = setTimeout(wake, pollMs);
        const onAbort = (): void => wake();
        signal?.addEventListener('abort', onAbort, { once: true });
        await woken;
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
      } finally {
        off();
      }
    }
  }
}

export function parsePriority(value: string | undefined): Priority {
  if (value === undefined || value === '' || value === 'normal') return 'normal';
  if (value === 'low') return 'low';
  throw new ValidationError([{ loc: ['header', 'x-fal-queue-priority'], msg: "value is not a valid enumeration member; permitted: 'normal', 'low'", type: 'type_error.enum' }]);
}
