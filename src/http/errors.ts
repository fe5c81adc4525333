// The one place errors become HTTP responses. Errors a user caused carry their status and fal's
// body; anything else is ours: logged with the request id and answered as a plain 500.
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { HttpError } from '../errors.ts';

export function errorHandler(err: FastifyError | Error, req: FastifyRequest, reply: FastifyReply): void {
  if (err instanceof HttpError) {
    void reply.code(err.status).headers(err.headers).send(err.body);
    return;
  }
  const status = (err as FastifyError).statusCode;
  if (status !== undefined && status >= 400 && status < 500) {
    // Fastify's own 4xx: body too large, unsupported media type and the like.
    void reply.code(status).send({ detail: err.message });
    return;
  }
  req.log.error({ err }, 'unhandled error');
  void reply.code(500).send({ detail: 'Internal server error', request_id: req.id, error_type: 'internal_error' });
}

export function notFoundHandler(req: FastifyRequest, reply: FastifyReply): void {
  void reply.code(404).send({ detail: `Not found: ${req.method} ${req.url.split('?')[0] ?? ''}` });
}
