// x-fal-object-lifecycle-preference on submit and run: how long the request's output files live.
// The header is checked before the request is accepted (a malformed one is a 422 naming it), and
// recorded as soon as the request has its id: before the response goes out (onSend), or after
// it for streamed runs, which write their own headers (onResponse). The store applies it to
// outputs stored before or after that moment alike, so a worker that finishes first loses nothing.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { FileService } from '../blobs/files.ts';
import { SUBMIT_LIFECYCLE_HEADER, parseLifecycle } from '../blobs/lifecycle.ts';

const SUBMIT_ROUTES = new Set(['/queue/*', '/run/*']);

const isSubmit = (req: FastifyRequest): boolean => req.method === 'POST' && SUBMIT_ROUTES.has(req.routeOptions.url ?? '');

/** Lifetimes asked for by requests in flight, until recorded. */
const pending = new WeakMap<FastifyRequest, number>();

export function lifecycleHooks(app: FastifyInstance, files: FileService): void {
  const record = async (req: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const lifetimeMs = pending.get(req);
    const id = reply.getHeader('x-fal-request-id') ?? reply.raw.getHeader('x-fal-request-id');
    if (lifetimeMs === undefined || typeof id !== 'string' || reply.statusCode >= 400) return;
    pending.delete(req);
    try {
      await files.setRequestLifetime(id, lifetimeMs);
    } catch (err) {
      req.log.error({ err, requestId: id }, 'could not record the output lifetime');
    }
  };
  app.addHook('preHandler', async (req) => {
    if (!isSubmit(req)) return;
    const lifetimeMs = parseLifecycle(SUBMIT_LIFECYCLE_HEADER, req.headers[SUBMIT_LIFECYCLE_HEADER]);
    if (lifetimeMs !== null) pending.set(req, lifetimeMs);
  });
  app.addHook('onSend', async (req, reply, payload) => {
    await record(req, reply);
    return payload;
  });
  app.addHook('onResponse', record);
}
