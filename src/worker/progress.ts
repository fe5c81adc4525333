// A running request's progress as clients see it: fraction, stage and an ETA from the pace so
// far, and a small preview of the current frame. Runners report as often as they like; writes
// to the store are throttled, so a render reporting every frame costs a few writes a second.
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import sharp from 'sharp';
import type { BlobStore } from '../blobs/blobs.ts';
import type { RequestEvents } from '../requests/events.ts';
import type { Progress } from '../store/records.ts';
import type { Store } from '../store/store.ts';

export interface PreviewFrame {
  /** Packed RGB, 8 bits per channel. */
  data: Uint8Array;
  width: number;
  height: number;
}

export interface ProgressDeps {
  store: Store;
  blobs: BlobStore;
  events: RequestEvents;
  requestId: string;
  leaseToken: string;
  now: () => number;
  minIntervalMs?: number;
  previewIntervalMs?: number;
  previewWidth?: number;
}

export const previewBlobKey = (requestId: string): string => `previews/${requestId}.jpg`;

export class ProgressReporter {
  readonly #d: ProgressDeps;
  readonly #startedAt: number;
  #last: Progress = { fraction: 0, stage: '', etaSeconds: null };
  #lastWrite = 0;
  #lastPreview = 0;
  #previewToken: string | null = null;
  #previewBusy = false;
  #writing: Promise<void> = Promise.resolve();

  constructor(deps: ProgressDeps) {
    this.#d = deps;
    this.#startedAt = deps.now();
  }

  report(fraction: number, stage: string): void {
    const now = this.#d.now();
    const f = Math.min(1, Math.max(0, fraction));
    const elapsed = (now - this.#startedAt) / 1000;
    const etaSeconds = f >= 0.02 && f < 1 ? Math.round((elapsed / f) * (1 - f) * 10) / 10 : f >= 1 ? 0 : null;
    const stageChanged = stage !== this.#last.stage;
    this.#last = { fraction: Math.round(f * 1000) / 1000, stage, etaSeconds };
    if (stageChanged || now - this.#lastWrite >= (this.#d.minIntervalMs ?? 300)) this.#write();
  }

  /** Offers the current frame; at most one preview is made per interval, none while one is being made. */
  preview(frame: PreviewFrame): void {
    const now = this.#d.now();
    if (this.#previewBusy || now - this.#lastPreview < (this.#d.previewIntervalMs ?? 1000)) return;
    this.#previewBusy = true;
    this.#lastPreview = now;
    // The frame buffer is the runner's to reuse: copy before going async.
    const data = Buffer.from(frame.data);
    void sharp(data, { raw: { width: frame.width, height: frame.height, channels: 3 } })
      .resize({ width: Math.min(frame.width, this.#d.previewWidth ?? 320) })
      .jpeg({ quality: 70 })
      .toBuffer()
      .then((jpeg) => this.#d.blobs.put(previewBlobKey(this.#d.requestId), Readable.from([jpeg]), { length: jpeg.length }))
      .then(() => {
        this.#previewToken ??= randomBytes(16).toString('base64url');
        this.#write();
      })
      .catch(() => undefined) // a preview is a nicety: never a reason to fail the request
      .finally(() => (this.#previewBusy = false));
  }

  #write(): void {
    this.#lastWrite = this.#d.now();
    const progress = this.#last;
    const token = this.#previewToken;
    this.#writing = this.#writing
      .then(() => this.#d.store.requests.setProgress(this.#d.requestId, this.#d.leaseToken, progress, token))
      .then(() => this.#d.events.changed(this.#d.requestId), () => undefined);
  }

  /** Waits for pending writes (before the request finishes, so progress never lands after). */
  async flush(): Promise<void> {
    await this.#writing;
  }
}
