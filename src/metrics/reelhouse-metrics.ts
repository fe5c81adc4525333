// The metrics reelhouse exposes at /metrics. Events (a request submitted, started, finished; a
// webhook attempt; an upload) move counters and histograms in the process where they happen, as
// Prometheus expects of several instances; what is queued and running now is read from the store
// at scrape time, so it is the same whichever instance is scraped.
import type { RequestRecord } from '../store/records.ts';
import type { Store } from '../store/store.ts';
import { Counter, Gauge, Histogram, MetricRegistry } from './prometheus.ts';

const WAIT_BUCKETS = [0.005, 0.025, 0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600];
const RUN_BUCKETS = [0.05, 0.25, 1, 2.5, 5, 10, 20, 30, 60, 120, 300, 600, 1800];

export interface MetricsDeps {
  store: Store;
  /** This process's worker (its lease owner id) and its slots; null when it runs none. */
  worker: { id: string; slots: number } | null;
  now: () => number;
}

export class ReelhouseMetrics {
  readonly #registry = new MetricRegistry();
  readonly #d: MetricsDeps;

  readonly submitted = this.#registry.add(new Counter('reelhouse_requests_submitted_total', 'Requests accepted by a submit (idempotent repeats excluded)', ['endpoint']));
  readonly finished = this.#registry.add(new Counter('reelhouse_requests_finished_total', 'Requests that reached a final state, by that state', ['endpoint', 'state']));
  readonly current = this.#registry.add(new Gauge('reelhouse_requests', 'Requests queued or running now, in the whole store', ['endpoint', 'state']));
  readonly queueDepth = this.#registry.add(new Gauge('reelhouse_queue_depth', 'Requests waiting for a worker, by priority', ['priority']));
  readonly oldestWait = this.#registry.add(new Gauge('reelhouse_queue_oldest_wait_seconds', 'How long the oldest queued request has waited', []));
  readonly wait = this.#registry.add(new Histogram('reelhouse_queue_wait_seconds', 'Time from submit to a worker taking the request', ['endpoint'], WAIT_BUCKETS));
  readonly run = this.#registry.add(new Histogram('reelhouse_run_seconds', 'Time from a worker taking a request to its end, by final state', ['endpoint', 'state'], RUN_BUCKETS));
  readonly units = this.#registry.add(new Counter('reelhouse_units_total', "fal's billing units of succeeded requests", ['endpoint']));
  readonly webhookAttempts = this.#registry.add(new Counter('reelhouse_webhook_attempts_total', 'Webhook POSTs, by whether the receiver answered 2xx', ['result']));
  readonly webhookDeliveries = this.#registry.add(new Counter('reelhouse_webhook_deliveries_total', 'Webhooks at their end: delivered, or failed after every retry', ['outcome']));
  readonly slots = this.#registry.add(new Gauge('reelhouse_worker_slots', "This process's worker slots (REELHOUSE_WORKERS)", []));
  readonly busy = this.#registry.add(new Gauge('reelhouse_worker_busy_slots', "This process's slots running a request now", []));
  readonly utilisation = this.#registry.add(new Gauge('reelhouse_worker_utilisation', 'Busy slots / slots of this process (0 without slots)', []));
  readonly uploads = this.#registry.add(new Counter('reelhouse_uploads_total', 'Uploads completed (single PUT or multipart)', []));
  readonly uploadBytes = this.#registry.add(new Counter('reelhouse_upload_bytes_total', 'Bytes of completed uploads', []));

  constructor(deps: MetricsDeps) {
    this.#d = deps;
    this.webhookAttempts.touch({ result: 'ok' });
    this.webhookAttempts.touch({ result: 'error' });
    this.webhookDeliveries.touch({ outcome: 'delivered' });
    this.webhookDeliveries.touch({ outcome: 'failed' });
    this.uploads.touch();
    this.uploadBytes.touch();
  }

  requestSubmitted(endpointId: string): void {
    this.submitted.inc({ endpoint: endpointId });
  }

  requestStarted(r: Pick<RequestRecord, 'endpointId' | 'createdAt' | 'startedAt'>): void {
    if (r.startedAt !== null) this.wait.observe({ endpoint: r.endpointId }, Math.max(0, r.startedAt - r.createdAt) / 1000);
  }

  requestFinished(r: RequestRecord): void {
    this.finished.inc({ endpoint: r.endpointId, state: r.state });
    if (r.startedAt !== null && r.finishedAt !== null) {
      this.run.observe({ endpoint: r.endpointId, state: r.state }, Math.max(0, r.finishedAt - r.startedAt) / 1000);
    }
    if (r.state === 'succeeded') this.units.inc({ endpoint: r.endpointId }, r.units);
  }

  webhookAttempt(ok: boolean, end: 'delivered' | 'failed' | null): void {
    this.webhookAttempts.inc({ result: ok ? 'ok' : 'error' });
    if (end) this.webhookDeliveries.inc({ outcome: end });
  }

  uploaded(bytes: number): void {
    this.uploads.inc();
    this.uploadBytes.inc({}, bytes);
  }

  /** Reads what is queued and running, then writes out every metric. */
  async render(): Promise<string> {
    const { queued, running } = await this.#d.store.requests.activity();
    const now = this.#d.now();
    this.current.reset();
    const depth = { normal: 0, low: 0 };
    const perEndpoint = new Map<string, { queued: number; running: number }>();
    const at = (e: string) => perEndpoint.get(e) ?? perEndpoint.set(e, { queued: 0, running: 0 }).get(e)!;
    let oldest = now;
    for (const q of queued) {
      at(q.endpointId).queued += q.count;
      depth[q.priority] += q.count;
      oldest = Math.min(oldest, q.oldestCreatedAt);
    }
    let busy = 0;
    for (const r of running) {
      at(r.endpointId).running += r.count;
      if (this.#d.worker && r.leaseOwner === this.#d.worker.id) busy += r.count;
    }
    for (const [endpoint, n] of perEndpoint) {
      this.current.set({ endpoint, state: 'queued' }, n.queued);
      this.current.set({ endpoint, state: 'running' }, n.running);
    }
    this.queueDepth.set({ priority: 'normal' }, depth.normal);
    this.queueDepth.set({ priority: 'low' }, depth.low);
    this.oldestWait.set({}, Math.max(0, now - oldest) / 1000);
    const slots = this.#d.worker?.slots ?? 0;
    this.slots.set({}, slots);
    this.busy.set({}, busy);
    this.utilisation.set({}, slots > 0 ? busy / slots : 0);
    return this.#registry.render();
  }
}
