// Counting bytes as they stream past, and stopping a body that passes its limit: shared by every
// blob store, so an oversized upload fails the same way whichever store receives it.
import type { Hash } from 'node:crypto';
import { Transform } from 'node:stream';
import { PayloadTooLarge } from './blobs.ts';

/** Counts (and optionally hashes) bytes as they pass, and fails the stream once past a limit. */
export function byteLimit(maxBytes: number, counted: { size: number }, hash?: Hash): Transform {
  return new Transform({
    transform(chunk: Buffer, _enc, done) {
      counted.size += chunk.length;
      if (counted.size > maxBytes) return done(new PayloadTooLarge(maxBytes));
      hash?.update(chunk);
      done(null, chunk);
    },
  });
}
