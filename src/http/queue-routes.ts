// fal's queue host: submit, status (polled or streamed), result, cancel. Status, result and
// cancel URLs carry only `owner/alias` of the endpoint id (the client drops the sub-path), so
// requests are found by id.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { RequestService } from '../requests/service.ts';
import { requestUrls } from '../requests/status.ts';
import { submitOptions } from '../requests/submit-headers.ts';
import type { Store } from '../store/store.ts';
import { openSse } from './sse.ts';

interface RequestParams {
  owner: string;
  alias: string;
  id: string;
}

export function endpointIdFrom(wildcard: string | undefined): string {
  return (wildcard ?? '').replace(/^\/+|\/+$/g, '');
}

const wantsLogs = (v: string | undefined): boolean => v === '1' || v === 'true';

export interface QueueRouteDeps {
  service: RequestService;
  store: Store;
  publicUrl: string;
  sseKeepAliveMs: number;
  /** Aborted when the server starts shutting down. */
  closing: AbortSignal;
}

export function queueRoutes(app: FastifyInstance, { service, store, publicUrl, sseKeepAliveMs, closing }: QueueRouteDeps): void {
  app.post<{ Params: { '*': string }; Querystring: { fal_webhook?: string } }>('/queue/*', async (req, reply) => {
    const { request } = await service.submit(endpointIdFrom(req.params['*']), req.body, req.userId, submitOptions(req.headers, req.query));
    const { body } = await service.status(request, false);
    return reply
      .header('x-fal-request-id', request.id)
      .send({ ...body, ...requestUrls(publicUrl, request), gateway_request_id: request.id });
  });

  const load = (req: FastifyRequest<{ Params: RequestParams }>) =>
    service.get(`${req.params.owner}/${req.params.alias}`, req.params.id, req.userId);

  app.get<{ Params: RequestParams; Querystring: { logs?: string } }>(
    '/queue/:owner/:alias/requests/:id/status',
    async (req, reply) => {
      const { code, body } = await service.status(await load(req), wantsLogs(req.query.logs));
      return reply.code(code).send(body);
    },
  );

  // SSE regardless of Accept: through fal's proxy the stream arrives with `accept: application/json`.
  app.get<{ Params: RequestParams; Querystring: { logs?: string } }>(
    '/queue/:owner/:alias/requests/:id/status/stream',
    async (req, reply) => {
      const first = await load(req);
      const withLogs = wantsLogs(req.query.logs);
      const sse = openSse(reply, { keepAliveMs: sseKeepAliveMs, closing, headers: { 'x-fal-request-id': first.id } });
      let sentLogs = 0;
      let lastShape = '';
      try {
        for await (const r of service.watch(first.id, sse.signal)) {
          const { body } = await service.status(r, withLogs);
          const logs = body.logs ?? null;
          const fresh = logs ? logs.slice(sentLogs) : null;
          const shape = JSON.stringify({ ...body, logs: undefined });
          // An event per change: a new status, new progress, or new log lines, and only those lines.
          if (shape === lastShape && (fresh === null || fresh.length === 0)) continue;
          lastShape = shape;
          if (logs) sentLogs = logs.length;
          sse.send(body.status === 'IN_QUEUE' ? body : { ...body, logs: fresh });
        }
      } finally {
        sse.close();
      }
    },
  );

  app.get<{ Params: RequestParams }>('/queue/:owner/:alias/requests/:id', async (req, reply) => {
    return sendAnswer(reply, service.result(await load(req)));
  });

  app.put<{ Params: RequestParams }>('/queue/:owner/:alias/requests/:id/cancel', async (req, reply) => {
    return sendAnswer(reply, await service.cancel(await load(req)));
  });

  // Beyond fal: the webhook's delivery attempts, for the request's owner.
  app.get<{ Params: RequestParams }>('/queue/:owner/:alias/requests/:id/webhooks', async (req) => {
    const r = await load(req);
    const attempts = await store.webhooks.listAttempts(r.id);
    return {
      request_id: r.id,
      webhook_url: r.webhookUrl,
      state: r.webhookUrl === null ? null : (r.webhookState ?? 'waiting'),
      attempts: attempts.map((a) => ({
        attempt: a.attempt, at: new Date(a.at).toISOString(), status_code: a.statusCode, error: a.error, duration_ms: a.durationMs,
      })),
    };
  });
}

export function sendAnswer(reply: FastifyReply, a: { status: number; body: unknown; headers: Record<string, string> }): FastifyReply {
  return reply.code(a.status).headers(a.headers).send(a.body);
}
