// fal's synchronous host. The request goes through the same queue (so it is durable and visible
// by id), and the HTTP call waits for its end: `fal.run` gets the output, `fal.stream` gets
// progress events and then the output as the last event.
import type { FastifyInstance } from 'fastify';
import type { RequestService } from '../requests/service.ts';
import { submitOptions } from '../requests/submit-headers.ts';
import { endpointIdFrom, sendAnswer } from './queue-routes.ts';
import { openSse } from './sse.ts';

export function runRoutes(app: FastifyInstance, service: RequestService, sseKeepAliveMs: number, closing: AbortSignal): void {
  app.post<{ Params: { '*': string } }>('/run/*', async (req, reply) => {
    let endpointId = endpointIdFrom(req.params['*']);
    const streaming = endpointId.endsWith('/stream');
    if (streaming) endpointId = endpointId.slice(0, -'/stream'.length);
    // fal.run is never retried server-side and takes no webhook; the deadline and priority apply.
    const options = { ...submitOptions(req.headers, {}), webhookUrl: null };
    const { request } = await service.submit(endpointId, req.body, req.userId, options);

    if (streaming) {
      const sse = openSse(reply, { keepAliveMs: sseKeepAliveMs, closing, headers: { 'x-fal-request-id': request.id } });
      try {
        let last = '';
        for await (const r of service.watch(request.id, sse.signal)) {
          const { body } = await service.status(r, false);
          if (body.status === 'COMPLETED') {
            const answer = service.result(r);
            // The stream has already said 200: a failure travels as the last event's body.
            sse.send(answer.status === 200 ? answer.body : { ...(answer.body as object), status_code: answer.status });
            break;
          }
          const shape = JSON.stringify(body);
          if (shape !== last) sse.send(body);
          last = shape;
        }
      } finally {
        sse.close();
      }
      return;
    }

    // Stop waiting (not the job) when the caller hangs up or the server shuts down.
    const gone = new AbortController();
    req.raw.socket.once('close', () => gone.abort());
    try {
      const done = await service.waitUntilDone(request.id, AbortSignal.any([gone.signal, closing]));
      return sendAnswer(reply, service.result(done));
    } catch (err) {
      if (gone.signal.aborted) return reply;
      if (closing.aborted) {
        // `connection: close`: the server's close waits for this connection to go.
        return reply.code(503).header('x-fal-request-id', request.id).header('retry-after', '5').header('connection', 'close').send({
          detail: `The server is shutting down; request ${request.id} goes on in the queue and its result stays available by id.`,
        });
      }
      throw err;
    }
  });
}
