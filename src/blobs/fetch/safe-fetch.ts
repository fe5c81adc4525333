// A GET of a user's URL, made safe to run inside the server's network: each hop is checked and
// its connection pinned to the address that was checked (policy.ts), redirects are followed by
// hand and re-checked, connecting and the whole fetch are timed, and the body is counted into a
// file and cut off at the limit. No connection pooling: a socket is never reused for a hop it
// was not checked for. Proxy environment variables are not consulted.
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { checkUrl, RemoteFetchError, type FetchPolicy, type Resolved } from './policy.ts';

export interface Fetched {
  /** The URL the bytes came from, after redirects. */
  url: string;
  size: number;
  /** What the server said the type was: a claim, to be checked against the bytes. */
  contentType: string | null;
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

function pinned(to: Resolved): LookupFunction {
  return ((_host: string, opts: { all?: boolean }, cb: (...args: unknown[]) => void) => {
    if (opts?.all) cb(null, [{ address: to.address, family: to.family }]);
    else cb(null, to.address, to.family);
  }) as LookupFunction;
}

/** One GET to a checked address; resolves with the response once its headers are in. */
function get(url: URL, to: Resolved, policy: FetchPolicy, signal: AbortSignal): Promise<http.IncomingMessage> {
  return new Promise((resolve, reject) => {
    const lib = url.protocol === 'https:' ? https : http;
    const req = lib.request(url, {
      method: 'GET',
      agent: false,
      lookup: pinned(to),
      signal,
      headers: { 'user-agent': 'reelhouse (+file input fetcher)', accept: 'image/*, video/*;q=0.9, */*;q=0.5', 'accept-encoding': 'identity' },
    });
    const connectTimer = setTimeout(() => {
      req.destroy(new RemoteFetchError(`could not be fetched: no connection to ${url.host} within ${policy.connectTimeoutMs} ms`));
    }, policy.connectTimeoutMs);
    req.once('socket', (socket) => {
      if (!socket.connecting) clearTimeout(connectTimer);
      else socket.once('connect', () => clearTimeout(connectTimer));
    });
    req.once('response', (res) => {
      clearTimeout(connectTimer);
      resolve(res);
    });
    req.once('error', (err) => {
      clearTimeout(connectTimer);
      reject(err);
    });
    req.end();
  });
}

function limit(maxBytes: number, counted: { size: number }): Transform {
  return new Transform({
    transform(chunk: Buffer, _enc, done) {
      counted.size += chunk.length;
      if (counted.size > maxBytes) done(new RemoteFetchError(`is larger than this server fetches (${maxBytes} bytes)`, 'too_large'));
      else done(null, chunk);
    },
  });
}

function explain(err: unknown, url: URL, signal: AbortSignal, policy: FetchPolicy): RemoteFetchError {
  if (err instanceof RemoteFetchError) return err;
  if (signal.aborted && (signal.reason as Error | undefined)?.name === 'TimeoutError') {
    return new RemoteFetchError(`could not be fetched within ${policy.totalTimeoutMs} ms (${url.host})`);
  }
  const code = (err as NodeJS.ErrnoException).code;
  return new RemoteFetchError(`could not be fetched from ${url.host} (${code ?? (err as Error).message})`);
}

/**
 * Fetches `target` into `dest` under `policy`. Throws RemoteFetchError for anything refused or
 * failed; `dest` then does not exist.
 */
export async function fetchToFile(target: string, dest: string, policy: FetchPolicy, outer?: AbortSignal): Promise<Fetched> {
  const signal = AbortSignal.any([AbortSignal.timeout(policy.totalTimeoutMs), ...(outer ? [outer] : [])]);
  let url = new URL(target);
  for (let hop = 0; ; hop++) {
    const to = await checkUrl(url, policy);
    let res: http.IncomingMessage;
    try {
      res = await get(url, to, policy, signal);
    } catch (err) {
      throw explain(err, url, signal, policy);
    }
    const status = res.statusCode ?? 0;
    if (REDIRECTS.has(status)) {
      res.resume();
      const location = res.headers.location;
      if (!location) throw new RemoteFetchError(`could not be fetched: ${url.host} answered ${status} without a Location`);
      if (hop >= policy.maxRedirects) throw new RemoteFetchError(`redirects more than ${policy.maxRedirects} times`);
      try {
        url = new URL(location, url);
      } catch {
        throw new RemoteFetchError(`redirects to an invalid URL (${JSON.stringify(location).slice(0, 200)})`);
      }
      continue;
    }
    if (status < 200 || status >= 300) {
      res.resume();
      throw new RemoteFetchError(`could not be fetched: ${url.host} answered HTTP ${status}`);
    }
    const declared = Number(res.headers['content-length']);
    if (Number.isFinite(declared) && declared > policy.maxBytes) {
      res.destroy();
      throw new RemoteFetchError(`is larger than this server fetches (${declared} bytes; the limit is ${policy.maxBytes})`, 'too_large');
    }
    const counted = { size: 0 };
    try {
      await pipeline(res, limit(policy.maxBytes, counted), fs.createWriteStream(dest), { signal });
    } catch (err) {
      await fsp.rm(dest, { force: true });
      throw explain(err, url, signal, policy);
    }
    return { url: url.toString(), size: counted.size, contentType: res.headers['content-type'] ?? null };
  }
}
