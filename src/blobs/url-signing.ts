// Signed file URLs, the optional mode (REELHOUSE_FILE_URLS=signed): a file URL then carries its
// expiry and an HMAC of the token and expiry, so the token alone opens nothing, the URL stops
// working at its expiry even if the bytes are still around, any process holding the secret can
// check it without the database, and changing the secret revokes every URL at once.
import { createHmac, timingSafeEqual } from 'node:crypto';

export class UrlSigner {
  readonly #secret: Buffer;

  constructor(secret: string | Buffer) {
    this.#secret = Buffer.from(secret);
    if (this.#secret.length < 16) throw new Error('the file URL signing secret must be at least 16 bytes');
  }

  #mac(token: string, exp: number): Buffer {
    return createHmac('sha256', this.#secret).update(`${token}.${exp}`).digest().subarray(0, 18);
  }

  /** `exp=…&sig=…` for a URL valid until `expiresAt` (ms since the epoch). */
  query(token: string, expiresAt: number): string {
    const exp = Math.ceil(expiresAt / 1000);
    return `exp=${exp}&sig=${this.#mac(token, exp).toString('base64url')}`;
  }

  /** Whether `exp` and `sig` of a request are a valid, unexpired signature of `token`. */
  verify(token: string, exp: unknown, sig: unknown, now: number): boolean {
    if (typeof exp !== 'string' || typeof sig !== 'string' || !/^\d{1,12}$/.test(exp)) return false;
    const n = Number(exp);
    if (n * 1000 < now) return false;
    const want = this.#mac(token, n);
    const got = Buffer.from(sig, 'base64url');
    return got.length === want.length && timingSafeEqual(got, want);
  }
}
