// Public, like fal's model pages: each endpoint's OpenAPI document, and the docs page built from
// the same documents. No key: they describe the API, never anyone's data.
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { EndpointRegistry } from '../endpoints/registry.ts';
import { parseInput } from '../endpoints/validate.ts';
import { ValidationError, notFound } from '../errors.ts';
import { docsPage } from '../openapi/docs-page.ts';
import { endpointIndex, openApiDocument } from '../openapi/document.ts';

const DocsQuery = z.object({ endpoint_id: z.string().min(1).max(300).optional() });

function parseQuery(query: unknown): z.output<typeof DocsQuery> {
  try {
    return parseInput(DocsQuery, query ?? {});
  } catch (err) {
    if (!(err instanceof ValidationError)) throw err;
    throw new ValidationError(err.errors.map((e) => ({ ...e, loc: ['query', ...e.loc.slice(1)] })));
  }
}

// The page fetches nothing: no script, no remote style, font or image.
const DOCS_CSP = "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'";

export function docsRoutes(app: FastifyInstance, endpoints: EndpointRegistry, publicUrl: string): void {
  const endpointOr404 = (id: string) => {
    const e = endpoints.get(id.replace(/^\/+|\/+$/g, ''));
    if (!e) throw notFound(`Endpoint ${id} not found; GET /openapi.json lists the endpoints`);
    return e;
  };

  app.get('/openapi.json', async (req) => {
    const { endpoint_id: id } = parseQuery(req.query);
    if (id === undefined) return endpointIndex(endpoints, publicUrl);
    return openApiDocument(endpointOr404(id), publicUrl);
  });

  app.get('/docs', async (req, reply) => {
    const { endpoint_id: id } = parseQuery(req.query);
    const list = id === undefined ? endpoints.list() : [endpointOr404(id)];
    return reply
      .header('content-type', 'text/html; charset=utf-8')
      .header('content-security-policy', DOCS_CSP)
      .send(docsPage(list.map((e) => openApiDocument(e, publicUrl))));
  });
}
