// The secrets of capability URLs: file tokens and upload tokens.
import { createHash, randomBytes } from 'node:crypto';
import { HttpError } from '../errors.ts';

/** 128 random bits, URL-safe: the whole secret of a capability URL. */
export const newToken = (): string => randomBytes(16).toString('base64url');

/** Upload tokens are stored hashed: a leaked database does not leak live upload URLs. */
export const hashToken = (token: string): string => createHash('sha256').update(token).digest('hex');

export const uploadGone = (): HttpError =>
  new HttpError(404, { detail: 'This upload URL is unknown, already used or expired; initiate a new upload.' });
