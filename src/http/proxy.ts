// The proxy convention of fal's client (`proxyUrl`): every call arrives at one route with the
// fal URL it meant in `x-fal-target-url`. We rewrite it to our own path before routing, so the
// proxied call runs through exactly the same handlers (streaming included) as a direct one.
import type { FastifyInstance } from 'fastify';

export const PROXY_PATH = '/api/fal/proxy';

const HOST_PREFIX: Record<string, string> = {
  'queue.fal.run': '/queue',
  'fal.run': '/run',
  'rest.fal.ai': '/rest',
  'rest.alpha.fal.ai': '/rest',
};

/** Our path for a fal URL, or null when it is none we serve. */
export function internalPath(target: string): string | null {
  let url: URL;
  try {
    url = new URL(target);
  } catch {
    return null;
  }
  const prefix = HOST_PREFIX[url.hostname];
  if (prefix) return `${prefix}${url.pathname}${url.search}`;
  // A client whose middleware already pointed it at us, then proxied.
  if (/^\/(queue|run|rest)\//.test(url.pathname)) return `${url.pathname}${url.search}`;
  return null;
}

/** Fastify's `rewriteUrl`: runs before routing, for every request. */
export function rewriteProxyUrl(req: { url?: string; headers: Record<string, string | string[] | undefined> }): string {
  const url = req.url ?? '/';
  if (url.split('?')[0] !== PROXY_PATH) return url;
  const target = req.headers['x-fal-target-url'];
  return (typeof target === 'string' && internalPath(target)) || url;
}

/** Answers proxy calls that could not be rewritten. */
export function proxyRoutes(app: FastifyInstance): void {
  app.all(PROXY_PATH, async (req, reply) => {
    const target = req.headers['x-fal-target-url'];
    const detail = target
      ? `x-fal-target-url ${JSON.stringify(target)} is not a fal URL this server serves (queue.fal.run, fal.run, rest.fal.ai)`
      : 'Missing the x-fal-target-url header';
    return reply.code(400).send({ detail });
  });
}
