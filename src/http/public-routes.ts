// Public routes of the queue: the webhook signing keys, and preview frames (capability URLs,
// like file URLs, so an <img> tag can show them).
import type { FastifyInstance } from 'fastify';
import type { BlobStore } from '../blobs/blobs.ts';
import type { Store } from '../store/store.ts';
import { jwks } from '../webhooks/signing.ts';
import { previewBlobKey } from '../worker/progress.ts';

export function publicRoutes(app: FastifyInstance, store: Store, blobs: BlobStore): void {
  app.get('/.well-known/jwks.json', async (_req, reply) => {
    return reply.header('cache-control', 'public, max-age=3600').send(jwks(await store.signingKeys.list()));
  });

  app.get<{ Params: { token: string } }>('/previews/:token', async (req, reply) => {
    const token = req.params.token.replace(/\.jpg$/, '');
    const r = token.length >= 22 ? await store.requests.getByPreviewToken(token) : null;
    const key = r && previewBlobKey(r.id);
    const stat = key ? await blobs.stat(key) : null;
    if (!key || !stat) return reply.code(404).send({ detail: 'Preview not found' });
    return reply
      .header('content-type', 'image/jpeg')
      .header('content-length', stat.size)
      .header('cache-control', 'no-store') // it changes as the render goes on
      .send(blobs.read(key));
  });
}
