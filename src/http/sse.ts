// Server-sent events on a hijacked reply: `data: <json>` events, comment keep-alives during
// silence (proxies and fal's docs expect one at least every 15 s), and a clean close.
import type { FastifyReply } from 'fastify';

export interface SseStream {
  send(data: unknown): void;
  close(): void;
  /** Aborted when the client goes away or the server shuts down. */
  signal: AbortSignal;
}

export interface SseOptions {
  keepAliveMs: number;
  /** The server's shutdown: streams end then, so closing does not wait for their clients. */
  closing: AbortSignal;
  headers?: Record<string, string>;
}

export function openSse(reply: FastifyReply, { keepAliveMs, closing, headers = {} }: SseOptions): SseStream {
  reply.hijack();
  const res = reply.raw;
  res.writeHead(200, {
    // Headers set before the hijack (CORS) still belong on the response.
    ...(reply.getHeaders() as Record<string, string>),
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache, no-transform',
    connection: 'keep-alive',
    'x-accel-buffering': 'no', // nginx would otherwise buffer the stream
    ...headers,
  });
  res.flushHeaders();
  const gone = new AbortController();
  let lastWrite = Date.now();
  const keepAlive = setInterval(() => {
    if (Date.now() - lastWrite >= keepAliveMs - 5) write(': keep-alive\n\n');
  }, Math.max(50, Math.floor(keepAliveMs / 3)));
  const close = (): void => {
    clearInterval(keepAlive);
    if (!res.writableEnded) res.end();
  };
  // At shutdown the connection goes too: the server's close waits for every open connection, and
  // a kept-alive one would hold it for Fastify's keep-alive timeout (72 s).
  const onClosing = (): void => {
    clearInterval(keepAlive);
    if (!res.writableEnded) res.end(() => res.socket?.destroy());
  };
  closing.addEventListener('abort', onClosing, { once: true });
  res.on('close', () => {
    clearInterval(keepAlive);
    closing.removeEventListener('abort', onClosing);
    gone.abort();
  });
  function write(text: string): void {
    if (res.writableEnded || res.destroyed) return;
    lastWrite = Date.now();
    res.write(text);
  }
  const signal = AbortSignal.any([gone.signal, closing]);
  return { send: (data) => write(`data: ${JSON.stringify(data)}\n\n`), close, signal };
}
