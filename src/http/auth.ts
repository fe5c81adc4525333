// Every API route needs a valid key. The request carries the key's user from here on.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { authenticate } from '../auth/keys.ts';
import type { Store } from '../store/store.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** The user the `Authorization: Key …` header proved; set on every API route. */
    userId: string;
  }
}

export function requireKey(store: Store) {
  return async (req: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const key = await authenticate(store, req.headers.authorization);
    if (!key) {
      const detail = req.headers.authorization
        ? 'Invalid or revoked key: send Authorization: Key <key_id>:<key_secret>'
        : 'Missing credentials: send Authorization: Key <key_id>:<key_secret>';
      await reply.code(401).send({ detail });
      return;
    }
    req.userId = key.userId;
  };
}
