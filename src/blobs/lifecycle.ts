// fal's object lifecycle: how long a stored file lives. The client sends it as JSON in
// `X-Fal-Object-Lifecycle` (storage.upload) and `x-fal-object-lifecycle-preference` (submit and
// run), `{"expiration_duration_seconds": N, "initial_acl": {...}}`; `expiresIn: "never"` sends no
// header, which leaves the server's default retention.
import { ValidationError } from '../errors.ts';

export const UPLOAD_LIFECYCLE_HEADER = 'x-fal-object-lifecycle';
export const SUBMIT_LIFECYCLE_HEADER = 'x-fal-object-lifecycle-preference';

/** Ten years: long enough for "keep it", short enough that `now + lifetime` stays exact. */
const MAX_SECONDS = 10 * 365 * 86_400;

/**
 * The lifetime in milliseconds the header asks for, or null when it asks for none. Malformed
 * values are a 422 naming the header. `initial_acl` is accepted and ignored: file URLs are
 * capabilities (see docs/files.md).
 */
export function parseLifecycle(header: string, value: string | string[] | undefined): number | null {
  const raw = Array.isArray(value) ? value[0] : value;
  if (raw === undefined || raw.trim() === '') return null;
  const fail = (msg: string): ValidationError => new ValidationError([{ loc: ['header', header], msg, type: 'value_error' }]);
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw fail('must be JSON like {"expiration_duration_seconds": 3600}');
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw fail('must be a JSON object like {"expiration_duration_seconds": 3600}');
  }
  const seconds = (parsed as Record<string, unknown>).expiration_duration_seconds;
  if (seconds === undefined || seconds === null) return null;
  if (typeof seconds !== 'number' || !Number.isInteger(seconds) || seconds < 1 || seconds > MAX_SECONDS) {
    throw fail(`expiration_duration_seconds must be a whole number of seconds from 1 to ${MAX_SECONDS}`);
  }
  return seconds * 1000;
}
