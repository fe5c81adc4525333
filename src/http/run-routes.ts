// fal's synchronous host: the request goes through the same queue (so it is durable and shows
// up in status), and the HTTP call waits for its end.
import type { FastifyInstance } from 'fastify';
import type { RequestService } from '../requests/service.ts';
import { endpointIdFrom, sendAnswer } from './queue-routes.ts';

export function runRoutes(app: FastifyInstance, service: RequestService): void {
  app.post<{ Params: { '*': string } }>('/run/*', async (req, reply) => {
    const request = await service.submit(endpointIdFrom(req.params['*']), req.body, req.userId, {
      priority: 'normal',
      webhookUrl: null,
    });
    // Stop waiting (not the job) when the caller hangs up.
    const gone = new AbortController();
    req.raw.socket.once('close', () => gone.abort());
    try {
      const done = await service.waitUntilDone(request.id, gone.signal);
      return sendAnswer(reply, service.result(done));
    } catch (err) {
      if (gone.signal.aborted) return reply;
      throw err;
    }
  });
}
