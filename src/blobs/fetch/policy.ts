// Where the server may fetch from: the URL's scheme, its host against the development allowlist,
// and every address its name resolves to against the blocked ranges. The check resolves DNS
// once and returns the address to connect to, so what was checked is what gets connected to
// (no second lookup for a rebinding DNS server to answer differently).
import dns from 'node:dns/promises';
import net from 'node:net';
import { blockedReason } from './ip-ranges.ts';

export interface Resolved {
  address: string;
  family: 4 | 6;
}

export type Lookup = (hostname: string) => Promise<Resolved[]>;

export interface FetchPolicy {
  /** Hosts opened for development despite their addresses: `host` or `host:port`, `*.domain`. */
  allowHosts: readonly string[];
  maxBytes: number;
  connectTimeoutMs: number;
  totalTimeoutMs: number;
  maxRedirects: number;
  /** DNS, injectable for tests. */
  lookup?: Lookup;
}

export const DEFAULT_FETCH_POLICY: FetchPolicy = {
  allowHosts: [],
  maxBytes: 256 * 1024 * 1024,
  connectTimeoutMs: 5000,
  totalTimeoutMs: 60_000,
  maxRedirects: 5,
};

/** A fetch refused or failed, with a message that completes "image_url …". */
export class RemoteFetchError extends Error {
  readonly code: 'refused' | 'failed' | 'too_large';
  constructor(message: string, code: 'refused' | 'failed' | 'too_large' = 'failed') {
    super(message);
    this.code = code;
  }
}

const systemLookup: Lookup = async (hostname) =>
  (await dns.lookup(hostname, { all: true, verbatim: true })).map((r) => ({ address: r.address, family: r.family === 6 ? 6 : 4 }));

/** Checks an allowlist entry's shape; used when the configuration is read. */
export function parseAllowEntry(entry: string): string {
  const e = entry.trim().toLowerCase();
  if (!/^(\*\.)?([a-z0-9.-]+|\[[0-9a-f:.]+\])(:\d{1,5})?$/.test(e)) {
    throw new Error(`REELHOUSE_FETCH_ALLOW_HOSTS: ${JSON.stringify(entry)} is not host, host:port or *.domain`);
  }
  return e;
}

const defaultPort = (url: URL): string => url.port || (url.protocol === 'https:' ? '443' : '80');

function allowed(url: URL, allowHosts: readonly string[]): boolean {
  const host = url.hostname.toLowerCase().replace(/\.$/, '');
  const port = defaultPort(url);
  return allowHosts.some((entry) => {
    const m = /^(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(entry);
    if (!m?.[1] || (m[2] !== undefined && m[2] !== port)) return false;
    return m[1].startsWith('*.') ? host.endsWith(m[1].slice(1)) : host === m[1];
  });
}

const hostLabel = (url: URL): string => url.host;

/**
 * Checks `url` and resolves its host once. Returns the address to connect to; throws a
 * RemoteFetchError saying why not.
 */
export async function checkUrl(url: URL, policy: FetchPolicy): Promise<Resolved> {
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new RemoteFetchError(`must be an http(s) URL (got ${url.protocol.replace(/:$/, '')})`, 'refused');
  }
  if (url.username || url.password) throw new RemoteFetchError('must not carry a user name or password', 'refused');
  const isAllowed = allowed(url, policy.allowHosts);
  const literal = url.hostname.replace(/^\[|\]$/g, '');
  let candidates: Resolved[];
  if (net.isIP(literal)) {
    candidates = [{ address: literal, family: net.isIPv6(literal) ? 6 : 4 }];
  } else {
    try {
      candidates = await (policy.lookup ?? systemLookup)(url.hostname.replace(/\.$/, ''));
    } catch {
      throw new RemoteFetchError(`names a host that could not be resolved (${hostLabel(url)})`);
    }
    if (candidates.length === 0) throw new RemoteFetchError(`names a host with no address (${hostLabel(url)})`);
  }
  if (!isAllowed) {
    // Every address the name has must be public: a name that also points inside is refused,
    // whichever address a connection would have picked.
    for (const c of candidates) {
      const why = blockedReason(c.address);
      if (why) {
        throw new RemoteFetchError(
          `points to ${why} (${hostLabel(url)} → ${c.address}), which this server does not fetch from; ` +
            'upload the file (fal.storage.upload) or pass a data URI instead',
          'refused',
        );
      }
    }
  }
  return candidates[0]!;
}
