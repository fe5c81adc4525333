// The playground: a page at `/` that runs any endpoint of the registry from a browser. Its code is
// plain ES modules in web/, served as they are (no build step, nothing from a CDN), and it talks
// to the same public API as any client: the page holds the key, the server holds no session.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { EndpointRegistry } from '../endpoints/registry.ts';
import { EXAMPLES } from '../openapi/examples.ts';
import { jsonSchema } from '../openapi/document.ts';

const WEB_DIR = path.join(import.meta.dirname, '..', '..', 'web');

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
};

// Scripts and styles only from here. Media may come from another host: file URLs point at an S3
// store when one is configured, and uploads PUT to whatever URL initiate hands out.
const CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data: blob: http: https:",
  "media-src 'self' blob: http: https:",
  "connect-src 'self' http: https:",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

interface Asset {
  body: Buffer;
  type: string;
  etag: string;
}

/** Every servable file of web/, by its path there (`app.js`, `views/form.js`). */
export function loadAssets(dir = WEB_DIR): Map<string, Asset> {
  const assets = new Map<string, Asset>();
  for (const entry of fs.readdirSync(dir, { recursive: true, withFileTypes: true })) {
    const type = TYPES[path.extname(entry.name)];
    if (!entry.isFile() || !type) continue;
    const full = path.join(entry.parentPath, entry.name);
    const body = fs.readFileSync(full);
    const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"`;
    assets.set(path.relative(dir, full).split(path.sep).join('/'), { body, type, etag });
  }
  return assets;
}

/** What the page builds its forms from: each endpoint's input as JSON Schema, and its file fields. */
export function playgroundEndpoints(endpoints: EndpointRegistry, publicUrl: string) {
  return {
    public_url: publicUrl,
    endpoints: endpoints.list().map((e) => ({
      id: e.id,
      title: e.title,
      input: jsonSchema(e.input, 'input'),
      file_fields: e.fileFields,
      example: EXAMPLES[e.id]?.input ?? null,
    })),
  };
}

export function playgroundRoutes(app: FastifyInstance, endpoints: EndpointRegistry, publicUrl: string): void {
  // Read once: a handful of small files, and no path from a URL ever reaches the file system.
  const assets = loadAssets();

  const serve = (name: string) => async (req: FastifyRequest, reply: FastifyReply) => {
    const asset = assets.get(name);
    if (!asset) return reply.code(404).send({ detail: `Not found: /playground/${name}` });
    void reply.header('etag', asset.etag).header('cache-control', 'no-cache').header('x-content-type-options', 'nosniff');
    if (req.headers['if-none-match'] === asset.etag) return reply.code(304).send();
    if (asset.type.startsWith('text/html')) void reply.header('content-security-policy', CSP);
    return reply.header('content-type', asset.type).send(asset.body);
  };

  app.get('/', serve('index.html'));
  // A static route wins over the wildcard: this name is never looked up in web/.
  app.get('/playground/endpoints.json', async () => playgroundEndpoints(endpoints, publicUrl));
  app.get<{ Params: { '*': string } }>('/playground/*', (req, reply) => serve(req.params['*'])(req, reply));
}
