// The submit options fal's client sends as headers, read and checked in one place.
import { ValidationError } from '../errors.ts';
import { SUBMIT_LIFECYCLE_HEADER, parseLifecycle } from '../blobs/lifecycle.ts';
import type { Priority } from '../store/records.ts';

type Headers = Record<string, string | string[] | undefined>;

const first = (v: string | string[] | undefined): string | undefined => (Array.isArray(v) ? v[0] : v);
const headerError = (name: string, msg: string, type = 'value_error') => new ValidationError([{ loc: ['header', name], msg, type }]);

export function parsePriority(value: string | undefined): Priority {
  if (value === undefined || value === '' || value === 'normal') return 'normal';
  if (value === 'low') return 'low';
  throw headerError('x-fal-queue-priority', "value is not a valid enumeration member; permitted: 'normal', 'low'", 'type_error.enum');
}

/** `x-fal-request-timeout`: seconds the request may wait to start. fal's docs ask for > 0.1. */
export function parseStartTimeout(value: string | undefined): number | null {
  if (value === undefined || value === '') return null;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0.1) throw headerError('x-fal-request-timeout', 'must be a number of seconds greater than 0.1');
  return n;
}

/** `Idempotency-Key` (or `x-fal-idempotency-key`): any printable text up to 255 characters. */
export function parseIdempotencyKey(headers: Headers): string | null {
  const value = first(headers['idempotency-key']) ?? first(headers['x-fal-idempotency-key']);
  if (value === undefined) return null;
  if (!/^[\x21-\x7e]{1,255}$/.test(value)) {
    throw headerError('idempotency-key', 'must be 1 to 255 printable ASCII characters without spaces');
  }
  return value;
}

/** `?fal_webhook=`: where the result is POSTed when the request ends. */
export function parseWebhookUrl(value: unknown): string | null {
  if (value === undefined || value === '') return null;
  let url: URL;
  try {
    if (typeof value !== 'string') throw new TypeError('not a string');
    url = new URL(value);
  } catch {
    throw new ValidationError([{ loc: ['query', 'fal_webhook'], msg: 'must be an http(s) URL', type: 'value_error.url' }]);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ValidationError([{ loc: ['query', 'fal_webhook'], msg: 'must be an http(s) URL', type: 'value_error.url.scheme' }]);
  }
  return url.toString();
}

export function submitOptions(headers: Headers, query: { fal_webhook?: unknown }) {
  return {
    priority: parsePriority(first(headers['x-fal-queue-priority'])),
    webhookUrl: parseWebhookUrl(query.fal_webhook),
    startTimeoutSeconds: parseStartTimeout(first(headers['x-fal-request-timeout'])),
    idempotencyKey: parseIdempotencyKey(headers),
    outputLifetimeMs: parseLifecycle(SUBMIT_LIFECYCLE_HEADER, headers[SUBMIT_LIFECYCLE_HEADER]),
  };
}
