// Delivers webhooks from the outbox (the request rows): due deliveries are leased, POSTed with
// fal's signature headers, and each attempt recorded with what comes next, so deliveries survive
// restarts and never block or fail the request itself. Retries back off exponentially.
import type { Store } from '../store/store.ts';
import type { RequestRecord } from '../store/records.ts';
import { webhookBody } from './payload.ts';
import { WebhookSigner, newSigningKey } from './signing.ts';

/** POSTs a body; resolves with the HTTP status, rejects when no answer came. */
export type WebhookPost = (url: string, body: string, headers: Record<string, string>, signal: AbortSignal) => Promise<number>;

export const fetchPost: WebhookPost = async (url, body, headers, signal) => {
  const res = await fetch(url, { method: 'POST', body, headers, signal, redirect: 'manual' });
  await res.body?.cancel();
  return res.status;
};

export interface DispatcherDeps {
  store: Store;
  logger: { warn(obj: object, msg: string): void; error(obj: object, msg: string): void };
  now: () => number;
  retries: number;
  baseDelayMs: number;
  timeoutMs: number;
  post?: WebhookPost;
  pollMs?: number;
  concurrency?: number;
}

/** Delay before retry number `attempt` (1 = the first retry): base, 2×base, 4×base, … */
export const retryDelay = (baseMs: number, attempt: number): number => baseMs * 2 ** (attempt - 1);

export class WebhookDispatcher {
  readonly #d: DispatcherDeps;
  readonly #stop = new AbortController();
  #loop: Promise<void> | null = null;
  #signer: WebhookSigner | null = null;

  constructor(deps: DispatcherDeps) {
    this.#d = deps;
  }

  async start(): Promise<void> {
    const key = await this.#d.store.signingKeys.current(() => newSigningKey(this.#d.now()));
    this.#signer = new WebhookSigner(key);
    this.#loop = this.#run();
  }

  async stop(): Promise<void> {
    this.#stop.abort();
    await this.#loop;
  }

  async #run(): Promise<void> {
    const pollMs = this.#d.pollMs ?? 250;
    // A lease long enough for one attempt; if this process dies mid-delivery, another retries.
    const leaseMs = this.#d.timeoutMs + 5000;
    while (!this.#stop.signal.aborted) {
      try {
        const due = await this.#d.store.webhooks.claimDue(this.#d.now(), leaseMs, this.#d.concurrency ?? 8);
        await Promise.all(due.map((r) => this.#deliver(r)));
        if (due.length > 0) continue;
      } catch (err) {
        this.#d.logger.error({ err }, 'webhook dispatcher error');
      }
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, pollMs);
        this.#stop.signal.addEventListener('abort', () => (clearTimeout(t), resolve()), { once: true });
      });
    }
  }

  async #deliver(r: RequestRecord): Promise<void> {
    if (!r.webhookUrl || !this.#signer) return;
    const attempt = r.webhookAttempts + 1;
    const body = JSON.stringify(webhookBody(r));
    const at = this.#d.now();
    const headers = {
      'content-type': 'application/json',
      'user-agent': 'reelhouse-webhooks',
      ...this.#signer.headers(r.id, r.owner, Math.floor(at / 1000), body),
    };
    let statusCode: number | null = null;
    let error: string | null = null;
    const started = performance.now();
    try {
      statusCode = await (this.#d.post ?? fetchPost)(r.webhookUrl, body, headers, AbortSignal.timeout(this.#d.timeoutMs));
      if (statusCode < 200 || statusCode > 299) error = `the receiver answered HTTP ${statusCode}`;
    } catch (err) {
      const e = err as Error & { cause?: { code?: string } };
      error = e.name === 'TimeoutError' ? `no answer within ${this.#d.timeoutMs} ms` : (e.cause?.code ?? e.message);
    }
    const durationMs = Math.round(performance.now() - started);
    const next = error === null
      ? { state: 'delivered' as const, nextAt: null }
      : attempt > this.#d.retries
        ? { state: 'failed' as const, nextAt: null }
        : { state: 'pending' as const, nextAt: this.#d.now() + retryDelay(this.#d.baseDelayMs, attempt) };
    if (error !== null) this.#d.logger.warn({ requestId: r.id, attempt, error, next: next.state }, 'webhook delivery failed');
    if (!(await this.#d.store.webhooks.recordAttempt(r.id, { attempt, at, statusCode, error, durationMs }, next))) {
      this.#d.logger.warn({ requestId: r.id, attempt }, 'webhook attempt not recorded: another dispatcher took this delivery while this one waited');
    }
  }
}
