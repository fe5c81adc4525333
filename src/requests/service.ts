// The request lifecycle as the edge sees it: submit, status, result, cancel, and following a
// request to its end. Ownership is checked here: a request is its owner's alone.
import { randomUUID } from 'node:crypto';
import type { BlobStore } from '../blobs/blobs.ts';
import { unitsOf } from '../endpoints/cost.ts';
import type { EndpointRegistry } from '../endpoints/registry.ts';
import { parseInput } from '../endpoints/validate.ts';
import { HttpError, notFound } from '../errors.ts';
import type { Priority, RequestRecord } from '../store/records.ts';
import type { Store } from '../store/store.ts';
import type { RequestEvents } from './events.ts';
import { cancelledOutcome, expiredOutcome } from './failures.ts';
import { checkFileInputs, type FileInputDeps } from './file-inputs.ts';
import { isTerminal } from './state.ts';
import { statusBody, statusCode, type StatusBody } from './status.ts';

export interface RequestServiceDeps extends FileInputDeps {
  store: Store;
  blobs: BlobStore;
  endpoints: EndpointRegistry;
  events: RequestEvents;
  publicUrl: string;
  maxAttempts: number;
  maxDataUriBytes: number;
  /** How long an idempotency key returns the first request. */
  idempotencyWindowMs: number;
  /** How long finished requests keep their payloads; for messages. */
  retentionMs: number;
  now: () => number;
}

export interface SubmitOptions {
  priority: Priority;
  webhookUrl: string | null;
  /** Seconds the request may wait before it must start (x-fal-request-timeout). */
  startTimeoutSeconds?: number | null;
  idempotencyKey?: string | null;
  /** How long output files live (x-fal-object-lifecycle-preference); null: the default. */
  outputLifetimeMs?: number | null;
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

  get publicUrl(): string {
    return this.#d.publicUrl;
  }

  async submit(endpointId: string, rawInput: unknown, owner: string, opts: SubmitOptions): Promise<{ request: RequestRecord; created: boolean }> {
    const endpoint = this.#d.endpoints.get(endpointId);
    if (!endpoint) throw notFound(`Endpoint ${endpointId} not found`);
    const input = parseInput(endpoint.input, rawInput) as Record<string, unknown>;
    endpoint.check?.(input);
    await checkFileInputs(endpoint, input, this.#d);
    const now = this.#d.now();
    const timeout = opts.startTimeoutSeconds ?? null;
    const submitted = await this.#d.store.requests.insert(
      {
        id: randomUUID(),
        endpointId,
        app: appOf(endpointId),
        owner,
        priority: opts.priority,
        input,
        webhookUrl: opts.webhookUrl,
        maxAttempts: this.#d.maxAttempts,
        createdAt: now,
        deadlineAt: timeout === null ? null : now + Math.round(timeout * 1000),
        idempotencyKey: opts.idempotencyKey ?? null,
        outputLifetimeMs: opts.outputLifetimeMs ?? null,
        units: unitsOf(endpoint, input),
      },
      now - this.#d.idempotencyWindowMs,
    );
    if (submitted.created) this.#d.events.submitted();
    return submitted;
  }

  /** The request if `owner` may see it under `app`; 404 for anyone else, as if it did not exist. */
  async get(app: string, id: string, owner: string): Promise<RequestRecord> {
    let r = await this.#d.store.requests.get(id);
    if (!r || r.owner !== owner || r.app !== app) throw new HttpError(404, { detail: `Request ${id} not found` });
    if (r.purgedAt !== null) {
      const days = Math.round(this.#d.retentionMs / 86_400_000);
      throw new HttpError(404, { detail: `Request ${id} finished more than ${days} day(s) ago; its payload and result were deleted after the retention period.` });
    }
    // A deadline that passed is acted on when anyone looks, not only when the sweeper comes by.
    if (r.state === 'queued' && r.deadlineAt !== null && r.deadlineAt <= this.#d.now()) {
      await this.expireOverdue();
      r = (await this.#d.store.requests.get(id)) ?? r;
    }
    return r;
  }

  async expireOverdue(): Promise<string[]> {
    const ids = await this.#d.store.requests.expireOverdue(this.#d.now(), expiredOutcome());
    for (const id of ids) this.#d.events.changed(id);
    return ids;
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
    // fal's mark of a deadline the caller set: the client does not retry such a 504.
    if (r.state === 'expired') headers['x-fal-request-timeout-type'] = 'user';
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

  /**
   * Yields the request each time it may have changed, ending after it finishes. Events wake it
   * at once (from other processes too, on PostgreSQL); the timer is the floor for a missed one.
   */
  async *watch(id: string, signal?: AbortSignal, pollMs = this.#d.events.fallbackPollMs): AsyncGenerator<RequestRecord> {
    let dirty = true;
    let wake: (() => void) | null = null;
    const poke = (): void => {
      dirty = true;
      wake?.();
    };
    const off = this.#d.events.onChanged(id, poke);
    const timer = setInterval(poke, pollMs);
    signal?.addEventListener('abort', poke);
    try {
      while (!signal?.aborted) {
        if (!dirty) await new Promise<void>((resolve) => (wake = resolve));
        wake = null;
        if (signal?.aborted) return;
        dirty = false;
        const r = await this.#d.store.requests.get(id);
        if (!r) return;
        yield r;
        if (isTerminal(r.state)) return;
      }
    } finally {
      off();
      clearInterval(timer);
      signal?.removeEventListener('abort', poke);
    }
  }

  /** Resolves with the request once it is finished. */
  async waitUntilDone(id: string, signal?: AbortSignal): Promise<RequestRecord> {
    let last: RequestRecord | null = null;
    for await (const r of this.watch(id, signal)) last = r;
    signal?.throwIfAborted();
    if (!last || !isTerminal(last.state)) throw notFound(`Request ${id} not found`);
    return last;
  }
}
