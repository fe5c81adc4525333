// What a file field of an input may hold: a data URI, a URL of a file on this server, or a URL
// elsewhere. Parsing is pure; looking files up is the caller's.

export type FileRef =
  | { kind: 'data'; mediaType: string; bytes: Buffer }
  /** A path of this server's file URLs; `own` says whether the host is this server's too. */
  | { kind: 'local'; token: string; own: boolean; url: URL }
  | { kind: 'remote'; url: URL };

export class FileRefError extends Error {}

const DATA_URI = /^data:([^,]*?),(.*)$/s;

export function parseDataUri(value: string, maxBytes: number): { mediaType: string; bytes: Buffer } {
  const m = DATA_URI.exec(value);
  if (!m) throw new FileRefError('is not a valid data URI (expected data:[<type>][;base64],<data>)');
  const params = (m[1] ?? '').split(';');
  const base64 = params.at(-1)?.toLowerCase() === 'base64';
  const mediaType = (params[0] ?? '').trim().toLowerCase() || 'text/plain';
  const body = m[2] ?? '';
  // Base64 inflates by 4/3: refuse early, before decoding anything large.
  const estimate = base64 ? Math.floor((body.length * 3) / 4) : body.length;
  if (estimate > maxBytes) throw new FileRefError(`is a data URI of about ${estimate} bytes, over the limit of ${maxBytes}`);
  let bytes: Buffer;
  if (base64) {
    const clean = body.replace(/\s+/g, '');
    if (!/^[A-Za-z0-9+/_-]*={0,2}$/.test(clean)) throw new FileRefError('is a data URI whose base64 payload is malformed');
    bytes = Buffer.from(clean, 'base64');
  } else {
    try {
      bytes = Buffer.from(decodeURIComponent(body), 'latin1');
    } catch {
      throw new FileRefError('is a data URI whose percent-encoding is malformed');
    }
  }
  if (bytes.length > maxBytes) throw new FileRefError(`is a data URI of ${bytes.length} bytes, over the limit of ${maxBytes}`);
  return { mediaType, bytes };
}

/** The path of a file's public URL on this server: `/files/{token}/{name}`. */
export const FILE_PATH = /^\/files\/([A-Za-z0-9_-]{22,})(?:\/[^/]*)?$/;

export function parseFileRef(value: string, publicUrl: string, maxDataBytes: number): FileRef {
  if (value.startsWith('data:')) return { kind: 'data', ...parseDataUri(value, maxDataBytes) };
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new FileRefError('must be an http(s) URL or a data URI');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new FileRefError('must be an http(s) URL or a data URI');
  const token = FILE_PATH.exec(url.pathname)?.[1];
  // Tokens are 128-bit random, so a known token names our file whatever host the client used
  // to reach us (localhost, 127.0.0.1, a proxy's name).
  if (token) return { kind: 'local', token, own: url.host === new URL(publicUrl).host, url };
  return { kind: 'remote', url };
}
