// The operations port of a process without the API: `reelhouse worker` answers /healthz, /readyz
// and /metrics here (at REELHOUSE_METRICS_PORT), so a deployment scrapes every process the same
// way. Nothing else is served: no key is taken and no work can be submitted through it.
import Fastify, { type FastifyInstance } from 'fastify';
import type { Store } from '../store/store.ts';
import { metricsRoutes } from './metrics-routes.ts';

export interface OpsServerOptions {
  host: string;
  port: number;
  store: Store;
  metrics: () => Promise<string>;
  metricsToken: string | null;
  ready: () => boolean;
}

/** Listens at `host:port` (0: a free port); `server.addresses()` tells where. */
export async function startOpsServer(o: OpsServerOptions): Promise<FastifyInstance> {
  const app = Fastify({ logger: false });
  app.get('/healthz', async (_req, reply) => (o.ready() ? { status: 'ok' } : reply.code(503).send({ status: 'starting' })));
  metricsRoutes(app, { store: o.store, metrics: o.metrics, metricsToken: o.metricsToken, ready: o.ready });
  await app.listen({ host: o.host, port: o.port });
  return app;
}
