// CORS, so browser applications on another origin can call the API directly (fal's client sends
// `mode: "cors"` with an Authorization header and fal's x-fal-* headers, which need a preflight).
// Credentials travel in the Authorization header, never in cookies, so allowing any origin exposes
// nothing a caller without a key could use; REELHOUSE_CORS_ORIGINS narrows it.
import type { FastifyInstance } from 'fastify';

/** Headers the client reads from responses (request id, the kind of a 504). */
const EXPOSED = 'x-fal-request-id, x-fal-request-timeout-type, x-fal-error-type, content-range, etag';

export function corsHooks(app: FastifyInstance, origins: readonly string[]): void {
  const allowed = (origin: string): boolean => origins.includes('*') || origins.includes(origin);
  app.addHook('onRequest', async (req, reply) => {
    const origin = req.headers.origin;
    if (!origin || !allowed(origin)) return;
    void reply.header('access-control-allow-origin', origins.includes('*') ? '*' : origin).header('vary', 'origin');
    if (req.method === 'OPTIONS' && req.headers['access-control-request-method']) {
      // A preflight: answered here, before routing and before any key check (it carries none).
      return reply
        .code(204)
        .header('access-control-allow-methods', 'GET, HEAD, POST, PUT, DELETE, OPTIONS')
        .header('access-control-allow-headers', req.headers['access-control-request-headers'] ?? 'authorization, content-type')
        .header('access-control-max-age', '600')
        .send();
    }
    void reply.header('access-control-expose-headers', EXPOSED);
  });
}
