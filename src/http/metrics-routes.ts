// Operations: /metrics in Prometheus' text format, and /readyz beside /healthz.
//
// /healthz says the process is up and has finished starting (a liveness check: restart it if
// not). /readyz says it can serve now: started, not stopping, and its store answers a query on
// the requests table (a readiness check: send it traffic only if so).
//
// /metrics needs no key by default, as Prometheus scrapes it; it shows endpoint names and volumes,
// never a request's content. With REELHOUSE_METRICS_TOKEN set it needs `Authorization: Bearer
// <token>` (Prometheus' `authorization.credentials`); API keys are not used for it, so a scraper
// holds no key that could submit work.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { PROMETHEUS_CONTENT_TYPE } from '../metrics/prometheus.ts';
import type { Store } from '../store/store.ts';

export interface MetricsRouteDeps {
  store: Store;
  /** The exposition text; absent: /metrics answers 404. */
  metrics?: (() => Promise<string>) | undefined;
  /** Null: /metrics is public. */
  metricsToken?: string | null | undefined;
  ready: () => boolean;
}

const digest = (v: string): Buffer => createHash('sha256').update(v).digest();

/** Compares in constant time (over digests, so lengths do not leak either). */
function bearerMatches(header: string | undefined, token: string): boolean {
  const m = /^Bearer\s+(.+)$/i.exec(header ?? '');
  return m !== null && timingSafeEqual(digest(m[1]!.trim()), digest(token));
}

export function metricsRoutes(app: FastifyInstance, deps: MetricsRouteDeps): void {
  app.get('/readyz', async (req, reply) => {
    if (!deps.ready()) return reply.code(503).send({ status: 'not_ready', reason: 'starting or stopping' });
    try {
      await deps.store.requests.activity();
    } catch (err) {
      req.log.warn({ err }, 'readiness: the store did not answer');
      return reply.code(503).send({ status: 'not_ready', reason: 'the store did not answer' });
    }
    return { status: 'ready' };
  });

  const render = deps.metrics;
  if (!render) return;
  app.get('/metrics', async (req, reply) => {
    const token = deps.metricsToken ?? null;
    if (token !== null && !bearerMatches(req.headers.authorization, token)) {
      return reply.code(401).header('www-authenticate', 'Bearer realm="metrics"').send({ detail: 'Send Authorization: Bearer <REELHOUSE_METRICS_TOKEN>' });
    }
    return reply.header('content-type', PROMETHEUS_CONTENT_TYPE).header('cache-control', 'no-store').send(await render());
  });
}
