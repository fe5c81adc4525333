// Deletes what has outlived its time: files past their expiry (blob first, then the row, so a
// crash in between leaves a row the next sweep finishes, never a blob nobody can find), uploads
// nobody finished before their URL expired, and lifetimes of long-gone requests. An upload that
// went straight to the blob store (presigned PUT) and was never asked for is confirmed here
// rather than deleted, if its bytes are there. Safe to run from several processes at once:
// deleting twice is a no-op.
import type { Store } from '../store/store.ts';
import type { BlobStore } from './blobs.ts';
import { confirmDirectUpload, isDirectUpload } from './direct-uploads.ts';

export interface FileSweeperDeps {
  store: Store;
  blobs: BlobStore;
  /** For direct uploads found by the sweep: the limit they are held to, the lifetime they get. */
  uploadLimitBytes: number;
  defaultLifetimeMs: number;
  logger: { info(obj: object, msg: string): void; error(obj: object, msg: string): void };
  now: () => number;
  everyMs: number;
  batch?: number;
}

/**
 * An upload whose URL expired is left this long before it counts as abandoned: a PUT or a
 * `complete` that started just in time may still be writing.
 */
const ABANDON_GRACE_MS = 3_600_000;

export interface SweepResult {
  expired: number;
  abandoned: number;
  /** Direct uploads whose bytes were found (and made ready, or deleted when over the limit). */
  confirmed: number;
}

export class FileSweeper {
  readonly #d: FileSweeperDeps;
  #timer: NodeJS.Timeout | null = null;
  #running: Promise<SweepResult> | null = null;

  constructor(deps: FileSweeperDeps) {
    this.#d = deps;
  }

  start(): void {
    const tick = (): void => {
      this.sweep().catch((err: unknown) => this.#d.logger.error({ err }, 'file sweep failed'));
    };
    tick();
    this.#timer = setInterval(tick, this.#d.everyMs);
    this.#timer.unref();
  }

  async stop(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
    await this.#running?.catch(() => undefined);
  }

  /** One sweep now; a sweep already under way is joined rather than doubled. */
  sweep(): Promise<SweepResult> {
    this.#running ??= this.#sweep().finally(() => (this.#running = null));
    return this.#running;
  }

  async #sweep(): Promise<SweepResult> {
    const { store, blobs } = this.#d;
    const batch = this.#d.batch ?? 200;
    const now = this.#d.now();
    const result = { expired: 0, abandoned: 0, confirmed: 0 };
    for (;;) {
      const files = await store.files.listExpired(now, batch);
      for (const f of files) {
        await blobs.delete(f.blobKey);
        await store.files.delete(f.id);
      }
      result.expired += files.length;
      if (files.length < batch) break;
    }
    for (;;) {
      const files = await store.files.listAbandoned(now - ABANDON_GRACE_MS, batch);
      for (const f of files) {
        if (isDirectUpload(f) && (await confirmDirectUpload(this.#d, f)).kind !== 'absent') {
          result.confirmed++;
          continue;
        }
        if (f.uploadId) await blobs.abortMultipart(f.blobKey, f.uploadId);
        await blobs.delete(f.blobKey); // a presigned PUT may have landed after all
        await store.files.delete(f.id);
      }
      result.abandoned += files.length;
      if (files.length < batch) break;
    }
    result.abandoned -= result.confirmed;
    if (result.expired + result.abandoned + result.confirmed > 0) this.#d.logger.info(result, 'deleted expired files and abandoned uploads');
    return result;
  }
}
