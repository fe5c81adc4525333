// The HTTP edge: one Fastify server for every fal host we stand in for. Public routes (health,
// file bytes, upload URLs) sit outside the key check; everything else is an API route inside it.
import Fastify, { LogController, type FastifyInstance } from 'fastify';
import type { BlobStore } from '../blobs/blobs.ts';
import type { FileService } from '../blobs/files.ts';
import type { EndpointRegistry } from '../endpoints/registry.ts';
import { ValidationError } from '../errors.ts';
import type { RequestService } from '../requests/service.ts';
import type { Store } from '../store/store.ts';
import { requireKey } from './auth.ts';
import { docsRoutes } from './docs-routes.ts';
import { corsHooks } from './cors.ts';
import { errorHandler, notFoundHandler } from './errors.ts';
import { fileRoutes, storageRoutes } from './file-routes.ts';
import { historyRoutes } from './history-routes.ts';
import { metricsRoutes } from './metrics-routes.ts';
import { playgroundRoutes } from './playground-routes.ts';
import { proxyRoutes, rewriteProxyUrl } from './proxy.ts';
import { publicRoutes } from './public-routes.ts';
import { queueRoutes } from './queue-routes.ts';
import { runRoutes } from './run-routes.ts';
import { usageRoutes } from './usage-routes.ts';

export interface ServerDeps {
  store: Store;
  blobs: BlobStore;
  files: FileService;
  requests: RequestService;
  publicUrl: string;
  bodyLimitBytes: number;
  sseKeepAliveMs: number;
  logLevel: string;
  /** Answers /healthz: false while starting or stopping. */
  ready: () => boolean;
  /** The /metrics text; absent: no /metrics route. */
  metrics?: () => Promise<string>;
  /** When set, /metrics needs `Authorization: Bearer <token>`. */
  metricsToken?: string | null;
  /** The endpoints /openapi.json and /docs describe; absent: no such routes. */
  endpoints?: EndpointRegistry;
  /** Origins browsers may call from; `*` for any. */
  corsOrigins?: readonly string[];
}

function parseJson(body: string): unknown {
  if (body.trim() === '') return undefined; // fal's client sends a JSON content type on GET and cancel
  try {
    return JSON.parse(body);
  } catch (err) {
    throw new ValidationError([{ loc: ['body', 0], msg: `Invalid JSON: ${(err as Error).message}`, type: 'value_error.jsondecode' }]);
  }
}

export function buildServer(deps: ServerDeps): FastifyInstance {
  const app = Fastify({
    logger: {
      level: deps.logLevel,
      // Keys are credentials: never written to a log.
      redact: ['req.headers.authorization', 'req.headers["x-fal-target-url"]'],
    },
    // One line per response instead of two (see the hook below).
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: deps.bodyLimitBytes,
    rewriteUrl: rewriteProxyUrl,
    // fal's ids contain no trailing slashes, but users type them.
    routerOptions: { ignoreTrailingSlash: true },
  });

  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_req, body, done) => {
    try {
      done(null, parseJson(body as string));
    } catch (err) {
      done(err as Error, undefined);
    }
  });

  // Polls and downloads are the bulk of traffic: they log at debug; the rest, and errors, at info.
  app.addHook('onResponse', async (req, reply) => {
    // An upload URL is a credential until used: its token never reaches the log.
    const url = (req.url.split('?')[0] ?? '').replace(/^\/files\/upload\/[^/]+/, '/files/upload/…');
    const line = { method: req.method, url, status: reply.statusCode, ms: Math.round(reply.elapsedTime) };
    if (req.method === 'GET' && reply.statusCode < 400) req.log.debug(line, 'response');
    else req.log.info(line, 'response');
  });

  app.setErrorHandler(errorHandler);
  app.setNotFoundHandler(notFoundHandler);
  corsHooks(app, deps.corsOrigins ?? ['*']);

  app.get('/healthz', async (_req, reply) =>
    deps.ready() ? { status: 'ok' } : reply.code(503).send({ status: 'starting' }),
  );
  metricsRoutes(app, deps);
  if (deps.endpoints) docsRoutes(app, deps.endpoints, deps.publicUrl);
  if (deps.endpoints) playgroundRoutes(app, deps.endpoints, deps.publicUrl);
  fileRoutes(app, deps.files, deps.blobs);
  proxyRoutes(app);
  publicRoutes(app, deps.store, deps.blobs);

  // Long-lived answers (status streams, waiting /run calls) end when the server starts closing:
  // otherwise close() would wait for every client that follows a request.
  const closing = new AbortController();
  app.addHook('preClose', (done) => {
    closing.abort();
    done();
  });
  void app.register(async (api) => {
    api.addHook('onRequest', requireKey(deps.store));
    queueRoutes(api, { service: deps.requests, store: deps.store, publicUrl: deps.publicUrl, sseKeepAliveMs: deps.sseKeepAliveMs, closing: closing.signal });
    runRoutes(api, deps.requests, deps.sseKeepAliveMs, closing.signal);
    storageRoutes(api, deps.files);
    usageRoutes(api, deps.store);
    historyRoutes(api, deps.store, deps.publicUrl);
  });
  return app;
}
