// Bytes in and out, like fal's CDN: file URLs are capabilities (no key; players and ffmpeg fetch
// them plainly), and so are upload URLs, which fal's client PUTs to without credentials.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { IncomingMessage } from 'node:http';
import { z } from 'zod';
import type { BlobStore } from '../blobs/blobs.ts';
import type { FileAccess, FileService } from '../blobs/files.ts';
import { UPLOAD_LIFECYCLE_HEADER, parseLifecycle } from '../blobs/lifecycle.ts';
import { parsePartNumber } from '../blobs/multipart.ts';
import { parseInput } from '../endpoints/validate.ts';
import { HttpError, ValidationError } from '../errors.ts';
import type { FileRecord } from '../store/records.ts';
import { parseRange } from './range.ts';

const InitiateBody = z.object({
  content_type: z.string().max(200).default('application/octet-stream'),
  file_name: z.string().max(1000).optional(),
});

/** A media type safe to echo in Content-Type: `type/subtype` and plain parameters, nothing else. */
function cleanContentType(value: string): string {
  return /^[\w.+-]+\/[\w.+-]+(\s*;\s*[\w.+-]+=[\w.+-]+)*$/.test(value.trim()) ? value.trim() : 'application/octet-stream';
}

/** Upload initiation: API routes, behind the key check. */
export function storageRoutes(app: FastifyInstance, files: FileService): void {
  const initiate = (req: FastifyRequest) => {
    const lifetimeMs = parseLifecycle(UPLOAD_LIFECYCLE_HEADER, req.headers[UPLOAD_LIFECYCLE_HEADER]);
    const body = parseInput(InitiateBody, req.body ?? {});
    return { lifetimeMs, contentType: cleanContentType(body.content_type), fileName: body.file_name ?? '' };
  };
  app.post('/rest/storage/upload/initiate', async (req) => {
    const { lifetimeMs, contentType, fileName } = initiate(req);
    return files.initiateUpload(req.userId, contentType, fileName, lifetimeMs);
  });
  app.post('/rest/storage/upload/initiate-multipart', async (req) => {
    const { lifetimeMs, contentType, fileName } = initiate(req);
    return files.multipart.initiate(req.userId, contentType, fileName, lifetimeMs);
  });
}

function declaredLength(req: FastifyRequest): number | undefined {
  const n = Number(req.headers['content-length']);
  return Number.isSafeInteger(n) && n >= 0 ? n : undefined;
}

/**
 * Receives a body; a client that hangs up mid-body is its own error (a 400 nobody reads), not a
 * server fault to log as one.
 */
async function receiving<T>(raw: IncomingMessage, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (raw.destroyed && (code === 'ECONNRESET' || code === 'ERR_STREAM_PREMATURE_CLOSE' || (err as Error).message === 'aborted')) {
      throw new HttpError(400, { detail: 'The upload was interrupted before its end; send it again.' });
    }
    throw err;
  }
}

/** A small JSON body read by hand (this scope leaves bodies unparsed so uploads can stream). */
async function readJson(raw: IncomingMessage, limit: number): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of raw as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) throw new HttpError(413, { detail: `The body is larger than ${limit} bytes` });
    chunks.push(chunk);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch (err) {
    throw new ValidationError([{ loc: ['body', 0], msg: `Invalid JSON: ${(err as Error).message}`, type: 'value_error.jsondecode' }]);
  }
}

/** The upload URL's routes: the PUT of one body, or the parts of a multipart upload. */
function uploadRoutes(app: FastifyInstance, files: FileService): void {
  // Upload bodies are raw bytes of any type (multipart parts carry no Content-Type at all):
  // leave the stream unread for the handler, in this scope only.
  void app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', (_req, _payload, done) => done(null));
    // A body refused before its end (413, 404) leaves unread bytes on the connection: close it,
    // or the client's next request on it waits behind them forever.
    scope.addHook('onSend', async (req, reply, payload) => {
      if (!req.raw.complete) void reply.header('connection', 'close');
      return payload;
    });
    type Token = { Params: { token: string } };
    type Part = { Params: { token: string; part: string } };

    scope.put<Token>('/files/upload/:token', async (req) => {
      const file = await receiving(req.raw, () => files.receiveUpload(req.params.token, req.raw, declaredLength(req)));
      return { file_url: files.url(file), file_size: file.size };
    });
    scope.put<Part>('/files/upload/:token/:part', async (req, reply) => {
      const part = parsePartNumber(req.params.part);
      const stored = await receiving(req.raw, () => files.multipart.putPart(req.params.token, part, req.raw, declaredLength(req)));
      // As S3 answers a part: a client can read the etag the same way from either.
      void reply.header('etag', `"${stored.etag}"`);
      return stored;
    });
    scope.post<Part>('/files/upload/:token/:part/url', async (req) => {
      return files.multipart.partUrl(req.params.token, parsePartNumber(req.params.part));
    });
    scope.post<Token>('/files/upload/:token/complete', async (req) => {
      return files.multipart.complete(req.params.token, await readJson(req.raw, 2 * 1024 * 1024));
    });
    scope.get<Token>('/files/upload/:token', async (req) => files.multipart.status(req.params.token));
    scope.delete<Token>('/files/upload/:token', async (req, reply) => {
      await files.multipart.abort(req.params.token);
      return reply.code(204).send();
    });
  });
}

const YEAR_S = 365 * 86_400;

/** `If-None-Match`: a list of entity tags, or `*`. */
function matches(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  return header.split(',').some((t) => {
    const tag = t.trim().replace(/^W\//, '');
    return tag === '*' || tag === etag;
  });
}

/**
 * Types a browser only displays (never runs): these may be read straight from the blob store,
 * whose responses cannot carry this server's sandboxing headers. Anything else (HTML, SVG, XML,
 * scripts, text) is streamed by the server with them.
 */
const PASSIVE_TYPE = /^(image\/(png|jpeg|gif|webp|avif|heif|heic|tiff|bmp)|video\/[\w.+-]+|audio\/[\w.+-]+|application\/octet-stream)$/i;

async function serveFile(
  files: FileService, blobs: BlobStore, file: FileRecord & { size: number }, access: FileAccess, req: FastifyRequest, reply: FastifyReply,
) {
  const size = file.size;
  const etag = `"${file.token}-${size}"`;
  const ifRange = req.headers['if-range'];
  const range = ifRange !== undefined && ifRange !== etag ? { kind: 'full' as const } : parseRange(req.headers.range, size);
  if (range.kind === 'unsatisfiable') {
    return reply.code(416).header('content-range', `bytes */${size}`).send({ detail: 'Range not satisfiable' });
  }
  // A file's bytes never change under its token: caches may keep it until it expires.
  const left = Math.floor(files.lifeLeftMs(file) / 1000);
  void reply
    .header('content-type', file.contentType)
    .header('accept-ranges', 'bytes')
    .header('etag', etag)
    .header('cache-control', `public, max-age=${Math.max(0, Math.min(YEAR_S, left))}, immutable`)
    .header('content-disposition', `inline; filename="${file.fileName}"`)
    // Uploaded bytes are the uploader's: never run as a page of this origin, never re-typed.
    .header('content-security-policy', "default-src 'none'; sandbox")
    .header('x-content-type-options', 'nosniff');
  if (matches(req.headers['if-none-match'], etag)) return reply.code(304).send();
  // A GET of media goes to the blob store itself when it can (S3, presigned); the Range header
  // follows the redirect. HEAD is answered here: the server knows everything it asks.
  const direct = req.method === 'GET' && PASSIVE_TYPE.test(file.contentType.split(';')[0]!.trim()) ? await files.directReadUrl(file, access) : null;
  if (direct) {
    // The redirect may be kept for half the life of its signature, by the one client it was for.
    const keep = Math.floor(direct.expiresInMs / 2000);
    return reply.code(307).header('location', direct.url).header('cache-control', `private, max-age=${keep}`).send();
  }
  const part = range.kind === 'partial' ? range.range : undefined;
  const length = part ? part.end - part.start + 1 : size;
  void reply.header('content-length', length);
  if (part) void reply.code(206).header('content-range', `bytes ${part.start}-${part.end}/${size}`);
  if (req.method === 'HEAD' || length === 0) return reply.send();
  // Always a range: the response never carries more bytes than its Content-Length said, even if
  // a direct upload's bytes were replaced after the server recorded their size.
  return reply.send(blobs.read(file.blobKey, part ?? { start: 0, end: size - 1 }));
}

/** The public byte routes. */
export function fileRoutes(app: FastifyInstance, files: FileService, blobs: BlobStore): void {
  uploadRoutes(app, files);
  app.route<{ Params: { token: string; name?: string }; Querystring: { exp?: string; sig?: string } }>({
    method: ['GET', 'HEAD'],
    url: '/files/:token/:name?',
    handler: async (req, reply) => {
      const { token } = req.params;
      const access = { token, exp: req.query.exp, sig: req.query.sig };
      if (!files.authorised(access)) {
        return reply.code(403).send({ detail: 'This file URL has no valid signature, or it has expired.' });
      }
      const file = await files.find(token);
      if (!file || file.size === null) return reply.code(404).send({ detail: 'File not found (it may have expired)' });
      return serveFile(files, blobs, { ...file, size: file.size }, access, req, reply);
    },
  });
}
