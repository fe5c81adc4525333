// Frames rendered on worker threads, yielded in order with bounded read-ahead. Each worker draws
// every n-th frame and may run `ahead` frames in front of the encoder, into a ring of `ahead`
// frame slots in one SharedArrayBuffer: nothing is allocated, copied or transferred per frame
// (allocating and transferring a fresh 3 MB buffer per 1080p frame cost the worker ~1 ms a frame
// in page faults and messaging). A yielded frame is a view of its slot, valid until the consumer
// asks for the next frame; only then may the worker draw over it. The owner closes the pool on
// success, abort or error alike, which terminates every worker.
import { Worker } from 'node:worker_threads';
import type { MorphField } from './morph.ts';
import type { Source } from './source.ts';
import type { ImageRole, TimelineInput } from './timeline.ts';
import { frameBytes } from './yuv.ts';

/** The frames to render: the same for every worker of a job. */
export interface RenderJob {
  timeline: TimelineInput;
  sources: Partial<Record<ImageRole, Source>>;
  morph?: MorphField;
  width: number;
  height: number;
  frames: number;
  loop: boolean;
}

/** What a render worker is given to render (structured-cloned). */
export interface WorkerInit extends RenderJob {
  /** This worker renders frames first, first + stride, … below end. */
  first: number;
  stride: number;
  end: number;
  /** `ahead` frame slots, frameBytes each: this worker's n-th frame goes in slot n % ahead. */
  ring: SharedArrayBuffer;
  ahead: number;
}

export interface WorkerRequest {
  /** Sent once, first: what to render. */
  init?: WorkerInit;
  credits: number;
}

export interface WorkerReply {
  index: number;
  slot: number;
}

export interface WorkerFramesOptions extends RenderJob {
  /** Frames each worker may have rendered ahead of the consumer. */
  ahead?: number;
  signal?: AbortSignal;
}

const WORKER_URL = new URL('./render-worker.ts', import.meta.url);

/** The rgb copy is only for keyframe analysis; workers need the planes. */
function planesOnly(sources: Partial<Record<ImageRole, Source>>): Partial<Record<ImageRole, Source>> {
  const out: Partial<Record<ImageRole, Source>> = {};
  for (const role of ['start', 'end'] as const) {
    const s = sources[role];
    if (s) out[role] = { base: s.base, levels: s.levels, rgbBase: { data: new Uint8Array(0), width: 0, height: 0 } };
  }
  return out;
}

/**
 * Render workers, started ahead of time (their start-up overlaps decoding); `frames` then renders
 * one timeline on them. Always `close` the pool, whether or not frames were taken.
 *
 * @example
 * const pool = new RenderPool(1);
 * try { for await (const f of pool.frames(opts)) … } finally { await pool.close(); }
 */
export class RenderPool {
  readonly #workers: Worker[];
  #failure: Error | null = null;
  #wake: (() => void) | null = null;

  constructor(count: number) {
    this.#workers = Array.from({ length: Math.max(1, count) }, () => {
      const worker = new Worker(WORKER_URL);
      worker.on('error', (err: Error) => this.#fail(err));
      worker.on('exit', (code) => {
        if (code !== 0) this.#fail(new Error(`render worker exited with code ${code}`));
      });
      return worker;
    });
  }

  get size(): number {
    return this.#workers.length;
  }

  #fail(err: Error): void {
    this.#failure ??= err;
    this.#notify();
  }

  #notify(): void {
    const w = this.#wake;
    this.#wake = null;
    w?.();
  }

  /** Yields the frames of a timeline, in order, each worker drawing every n-th frame. */
  async *frames(opts: WorkerFramesOptions): AsyncGenerator<Uint8Array, void, undefined> {
    const { frames, signal } = opts;
    const workers = this.#workers.slice(0, Math.max(1, Math.min(this.#workers.length, frames)));
    const count = workers.length;
    const ahead = Math.max(1, opts.ahead ?? 3);
    signal?.throwIfAborted();
    const bytes = frameBytes(opts.width, opts.height);
    const rings = workers.map(() => new SharedArrayBuffer(bytes * ahead));
    const slots = rings.map((ring) => Array.from({ length: ahead }, (_, n) => new Uint8Array(ring, n * bytes, bytes)));
    const ready = new Map<number, Uint8Array>();
    const onMessage = (msg: WorkerReply): void => {
      ready.set(msg.index, slots[msg.index % count]![msg.slot]!);
      this.#notify();
    };
    const sources = planesOnly(opts.sources);
    workers.forEach((worker, k) => {
      worker.on('message', onMessage);
      const init: WorkerInit = {
        timeline: opts.timeline, sources, width: opts.width, height: opts.height, frames, loop: opts.loop,
        first: k, stride: count, end: frames, ring: rings[k]!, ahead, ...(opts.morph ? { morph: opts.morph } : {}),
      };
      worker.postMessage({ init, credits: ahead } satisfies WorkerRequest);
    });
    const onAbort = (): void => this.#fail(signal?.reason instanceof Error ? signal.reason : new DOMException('The operation was aborted', 'AbortError'));
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      for (let i = 0; i < frames; i++) {
        while (!ready.has(i)) {
          if (this.#failure) throw this.#failure;
          await new Promise<void>((resolve) => (this.#wake = resolve));
        }
        if (this.#failure) throw this.#failure;
        const frame = ready.get(i)!;
        ready.delete(i);
        yield frame;
        // The consumer asks for the next frame only when it is done with this one (encodeVideo has
        // written it to ffmpeg): its slot is free and the worker that drew it may draw one more.
        workers[i % count]!.postMessage({ credits: 1 } satisfies WorkerRequest);
      }
    } finally {
      signal?.removeEventListener('abort', onAbort);
      for (const w of workers) w.off('message', onMessage);
    }
  }

  /** Terminates every worker. */
  async close(): Promise<void> {
    await Promise.all(this.#workers.map((w) => w.terminate()));
  }
}
