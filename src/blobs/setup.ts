// Builds the file parts from the configuration: the blob store, the file service (uploads, URLs,
// lifetimes), the policy for file inputs (fetching and media limits) and the sweeper. Called by
// app.ts only.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Config } from '../config.ts';
import type { InputPolicy } from '../requests/file-inputs.ts';
import type { Store } from '../store/store.ts';
import type { BlobStore } from './blobs.ts';
import { parseAllowEntry } from './fetch/policy.ts';
import { FileService } from './files.ts';
import { FsBlobStore } from './fs-blobs.ts';
import { S3BlobStore } from './s3-blobs.ts';
import { FileSweeper, type FileSweeperDeps } from './sweeper.ts';
import { UrlSigner } from './url-signing.ts';

/** The signing secret: the configured one, else one made on first start and kept (0600) in the data directory. */
function urlSigner(config: Config): UrlSigner | null {
  if (config.fileUrls !== 'signed') return null;
  if (config.fileUrlSecret) return new UrlSigner(config.fileUrlSecret);
  const file = path.join(config.dataDir, 'file-url.secret');
  try {
    fs.writeFileSync(file, randomBytes(32).toString('base64url'), { flag: 'wx', mode: 0o600 });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  return new UrlSigner(fs.readFileSync(file, 'utf8').trim());
}

/**
 * The blob store the config names: the S3 bucket of S3_BUCKET (checked now: a wrong secret or a
 * missing bucket throws S3Unavailable, naming the setting), else files under the data directory.
 */
export async function openBlobStore(config: Pick<Config, 'dataDir' | 's3'>): Promise<{ blobs: BlobStore; close(): void }> {
  if (config.s3) {
    const blobs = await S3BlobStore.open({ config: config.s3, tmpDir: path.join(config.dataDir, 'tmp', 's3-spool') });
    return { blobs, close: () => blobs.close() };
  }
  return { blobs: new FsBlobStore(path.join(config.dataDir, 'blobs')), close: () => undefined };
}

export function inputPolicy(config: Config): InputPolicy {
  return {
    fetch: {
      allowHosts: config.fetchAllowHosts.map(parseAllowEntry),
      maxBytes: config.fetchLimitBytes,
      connectTimeoutMs: config.fetchConnectTimeoutMs,
      totalTimeoutMs: config.fetchTimeoutMs,
      maxRedirects: 5,
    },
    image: { maxPixels: config.maxImagePixels },
    video: { maxSeconds: config.maxVideoSeconds, maxSide: config.maxVideoSide, maxBytes: Math.max(config.uploadLimitBytes, config.fetchLimitBytes) },
    ffprobePath: config.ffprobePath,
  };
}

export function fileService(config: Config, store: Store, blobs: BlobStore, now: () => number): FileService {
  return new FileService({
    store, blobs, publicUrl: config.publicUrl, uploadUrlTtlMs: config.uploadUrlTtlMs,
    uploadLimitBytes: config.uploadLimitBytes, partLimitBytes: config.uploadPartLimitBytes,
    defaultLifetimeMs: config.fileRetentionMs, signer: urlSigner(config), now,
  });
}

export function fileSweeper(config: Config, store: Store, blobs: BlobStore, now: () => number, logger: FileSweeperDeps['logger']): FileSweeper {
  return new FileSweeper({
    store, blobs, logger, now, everyMs: config.fileSweepMs, uploadLimitBytes: config.uploadLimitBytes, defaultLifetimeMs: config.fileRetentionMs,
  });
}
