// Pointing the official `@fal-ai/client` at a reelhouse server: the one config change.
//
//   import { fal } from '@fal-ai/client';
//   import { reelhouseConfig } from 'reelhouse/client';
//   fal.config(reelhouseConfig({ url: 'http://127.0.0.1:8080', credentials: process.env.FAL_KEY }));
//
// Two ways, both complete for queue, run and storage calls:
// - `mode: 'rewrite'` (default): a request middleware maps fal's hosts onto the server's paths
//   (queue.fal.run → /queue, fal.run → /run, rest.fal.ai → /rest).
// - `mode: 'proxy'`: the client's own proxy convention; every call goes to /api/fal/proxy with
//   its fal URL in `x-fal-target-url`.
// Upload PUTs need neither: the server hands out upload URLs of its own.
import type { RequestMiddleware, fal } from '@fal-ai/client';

/** What `fal.config` takes (the client does not export the type by name). */
export type FalConfig = Parameters<typeof fal.config>[0];

export interface ReelhouseClientOptions {
  /** The server's base URL, e.g. `http://127.0.0.1:8080`. */
  url: string;
  /** `key_id:key_secret` from `reelhouse keys create`. */
  credentials?: string | undefined;
  mode?: 'rewrite' | 'proxy';
}

const HOSTS: [string, string][] = [
  ['https://queue.fal.run/', '/queue/'],
  ['https://fal.run/', '/run/'],
  ['https://rest.fal.ai/', '/rest/'],
];

/** A request middleware that sends fal's hosts to `baseUrl`. */
export function rewriteFalUrls(baseUrl: string): RequestMiddleware {
  const base = baseUrl.replace(/\/+$/, '');
  return async (req) => {
    const hit = HOSTS.find(([from]) => req.url.startsWith(from));
    return hit ? { ...req, url: `${base}${hit[1]}${req.url.slice(hit[0].length)}` } : req;
  };
}

/** The `fal.config(...)` argument that sends every call to a reelhouse server. */
export function reelhouseConfig(opts: ReelhouseClientOptions): FalConfig {
  const base = opts.url.replace(/\/+$/, '');
  const credentials = opts.credentials === undefined ? {} : { credentials: opts.credentials };
  if (opts.mode === 'proxy') return { ...credentials, proxyUrl: { url: `${base}/api/fal/proxy`, when: 'always' } };
  return { ...credentials, requestMiddleware: rewriteFalUrls(base) };
}
