// API keys in fal's format, `key_id:key_secret`, sent as `Authorization: Key …`. Only a hash of
// the secret is stored. Secrets are 256 random bits, so one round of SHA-256 is enough: there is
// nothing to brute-force that a slow password hash would protect.
import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import type { KeyRecord } from '../store/records.ts';
import type { Store } from '../store/store.ts';

export interface NewKey {
  id: string;
  secret: string;
  userId: string;
  /** What the client is given: `key_id:key_secret`. */
  credentials: string;
}

const hashSecret = (secret: string): string => createHash('sha256').update(secret).digest('hex');

/** Creates a key. Without `userId` the key is a user of its own and sees only its own requests. */
export async function createKey(store: Store, opts: { userId?: string | undefined; label?: string | undefined }, now: number): Promise<NewKey> {
  const id = randomUUID();
  const secret = randomBytes(32).toString('hex');
  const userId = opts.userId ?? id;
  await store.keys.insert({ id, userId, secretHash: hashSecret(secret), label: opts.label ?? null, createdAt: now, revokedAt: null });
  return { id, secret, userId, credentials: `${id}:${secret}` };
}

/** The key an `Authorization` header proves, or null (missing, malformed, wrong or revoked). */
export async function authenticate(store: Store, header: string | undefined): Promise<KeyRecord | null> {
  const m = /^Key\s+([^:\s]+):(\S+)$/i.exec(header?.trim() ?? '');
  if (!m) return null;
  const key = await store.keys.get(m[1]!);
  if (!key || key.revokedAt !== null) return null;
  const given = Buffer.from(hashSecret(m[2]!), 'hex');
  const stored = Buffer.from(key.secretHash, 'hex');
  return given.length === stored.length && timingSafeEqual(given, stored) ? key : null;
}
