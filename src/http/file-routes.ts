// Bytes in and out, like fal's CDN: file URLs are capabilities (no key; players and ffmpeg fetch
// them plainly), and so are upload URLs, which fal's client PUTs to without credentials.
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { BlobStore } from '../blobs/blobs.ts';
import type { FileService } from '../blobs/files.ts';
import { parseInput } from '../endpoints/validate.ts';
import { parseRange } from './range.ts';

const InitiateBody = z.object({
  content_type: z.string().default('application/octet-stream'),
  file_name: z.string().optional(),
});

/** Upload initiation: an API route, behind the key check. */
export function storageRoutes(app: FastifyInstance, files: FileService): void {
  app.post('/rest/storage/upload/initiate', async (req) => {
    const body = parseInput(InitiateBody, req.body ?? {});
    return files.initiateUpload(req.userId, body.content_type, body.file_name ?? '');
  });
}

/** The public byte routes. */
export function fileRoutes(app: FastifyInstance, files: FileService, blobs: BlobStore): void {
  // Upload bodies are raw bytes of any type (multipart parts carry no Content-Type at all):
  // leave the stream unread for the handler, in this scope only.
  void app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', (_req, _payload, done) => done(null));
    scope.put<{ Params: { token: string } }>('/files/upload/:token', async (req) => {
      const length = req.headers['content-length'];
      const file = await files.receiveUpload(req.params.token, req.raw, length === undefined ? undefined : Number(length));
      return { file_url: files.url(file), file_size: file.size };
    });
  });

  app.route<{ Params: { token: string; name?: string } }>({
    method: ['GET', 'HEAD'],
    url: '/files/:token/:name?',
    handler: async (req, reply) => {
      const file = await files.find(req.params.token);
      if (!file || file.size === null) return reply.code(404).send({ detail: 'File not found' });
      const size = file.size;
      const etag = `"${file.token}-${size}"`;
      const ifRange = req.headers['if-range'];
      const range = ifRange !== undefined && ifRange !== etag ? { kind: 'full' as const } : parseRange(req.headers.range, size);
      if (range.kind === 'unsatisfiable') {
        return reply.code(416).header('content-range', `bytes */${size}`).send({ detail: 'Range not satisfiable' });
      }
      void reply
        .header('content-type', file.contentType)
        .header('accept-ranges', 'bytes')
        .header('etag', etag)
        .header('cache-control', 'public, max-age=86400')
        .header('content-disposition', `inline; filename="${file.fileName}"`);
      if (req.headers['if-none-match'] === etag) return reply.code(304).send();
      const part = range.kind === 'partial' ? range.range : undefined;
      const length = part ? part.end - part.start + 1 : size;
      void reply.header('content-length', length);
      if (part) void reply.code(206).header('content-range', `bytes ${part.start}-${part.end}/${size}`);
      if (req.method === 'HEAD' || length === 0) return reply.send();
      return reply.send(blobs.read(file.blobKey, part));
    },
  });
}
