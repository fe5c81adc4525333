// fal's queue host: submit, status, result, cancel. Status, result and cancel URLs carry only
// `owner/alias` of the endpoint id (the client drops the sub-path), so requests are found by id.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { parsePriority, type RequestService } from '../requests/service.ts';
import { requestUrls } from '../requests/status.ts';

interface RequestParams {
  owner: string;
  alias: string;
  id: string;
}

export function endpointIdFrom(wildcard: string | undefined): string {
  return (wildcard ?? '').replace(/^\/+|\/+$/g, '');
}

function header(req: FastifyRequest, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

export function queueRoutes(app: FastifyInstance, service: RequestService, publicUrl: string): void {
  app.post<{ Params: { '*': string }; Querystring: { fal_webhook?: string } }>('/queue/*', async (req, reply) => {
    const request = await service.submit(endpointIdFrom(req.params['*']), req.body, req.userId, {
      priority: parsePriority(header(req, 'x-fal-queue-priority')),
      webhookUrl: req.query.fal_webhook ?? null,
    });
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
      const withLogs = req.query.logs === '1' || req.query.logs === 'true';
      const { code, body } = await service.status(await load(req), withLogs);
      return reply.code(code).send(body);
    },
  );

  app.get<{ Params: RequestParams }>('/queue/:owner/:alias/requests/:id', async (req, reply) => {
    return sendAnswer(reply, service.result(await load(req)));
  });

  app.put<{ Params: RequestParams }>('/queue/:owner/:alias/requests/:id/cancel', async (req, reply) => {
    return sendAnswer(reply, await service.cancel(await load(req)));
  });
}

export function sendAnswer(reply: FastifyReply, a: { status: number; body: unknown; headers: Record<string, string> }): FastifyReply {
  return reply.code(a.status).headers(a.headers).send(a.body);
}
