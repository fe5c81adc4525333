// Webhook signatures exactly as fal makes them: Ed25519 over
// `request_id \n user_id \n timestamp \n sha256_hex(body)`, hex-encoded, with the public keys
// published as a JWKS. The key pair is made at first start and kept in the store.
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import type { SigningKey } from '../store/store.ts';

export function newSigningKey(now: number): SigningKey {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const jwk = publicKey.export({ format: 'jwk' }) as { kty: string; crv: string; x: string };
  const kid = createHash('sha256').update(jwk.x).digest('base64url').slice(0, 16);
  return {
    kid,
    privatePem: privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
    publicJwk: { kty: jwk.kty, crv: jwk.crv, x: jwk.x, kid, use: 'sig', alg: 'EdDSA' },
    createdAt: now,
  };
}

/** The message fal signs. */
export function signedMessage(requestId: string, userId: string, timestamp: number, body: string | Buffer): Buffer {
  const digest = createHash('sha256').update(body).digest('hex');
  return Buffer.from(`${requestId}\n${userId}\n${timestamp}\n${digest}`, 'utf8');
}

export class WebhookSigner {
  readonly #key: KeyObject;

  constructor(key: SigningKey) {
    this.#key = createPrivateKey(key.privatePem);
  }

  /** The four headers fal sends with a webhook. */
  headers(requestId: string, userId: string, timestampSeconds: number, body: string): Record<string, string> {
    const signature = sign(null, signedMessage(requestId, userId, timestampSeconds, body), this.#key).toString('hex');
    return {
      'x-fal-webhook-request-id': requestId,
      'x-fal-webhook-user-id': userId,
      'x-fal-webhook-timestamp': String(timestampSeconds),
      'x-fal-webhook-signature': signature,
    };
  }
}

/** `/.well-known/jwks.json`. */
export function jwks(keys: readonly SigningKey[]): { keys: Record<string, string>[] } {
  return { keys: keys.map((k) => ({ ...k.publicJwk })) };
}

/** The public half of a key, for tests and tools that verify. */
export function publicKeyOf(key: SigningKey): KeyObject {
  return createPublicKey({ key: { ...key.publicJwk }, format: 'jwk' });
}
