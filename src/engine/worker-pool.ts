// Frames rendered on worker threads, yielded in order with bounded read-ahead. Each worker draws
// every n-th frame and may run `ahead` frames in front of the encoder, into a ring of `ahead`
// frame slots in one SharedArrayBuffer: nothing is allocated, copied or transferred per frame
// (allocating and transferring a fresh 3 MB buffer per 1080p frame cost the worker ~1 ms a frame
// in page faults and messaging). A yielded frame is a view of its slot, valid until the consumer
// asks for the next frame; only then may the worker draw over it. The owner closes the pool on
// success, abort or error alike: a finished pool hands its workers back for the next job, any
// other terminates them.
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
  /** Sent first for each job: what to render. */
  init?: WorkerInit;
  /** The job is over: drop its renderer and wait for the next init. */
  release?: boolean;
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

// Workers outlive the job that started them: a worker's start-up (a thread, Node's bootstrap,
// loading and type-stripping the renderer's modules) measured 50–150 ms of CPU, paid while the
// job decodes its images and competing with that. A pool that finished every frame hands its
// workers back; the next job takes them instead of starting new ones. Idle workers hold no job's
// data, do not keep the process alive, and exit after IDLE_MS. A pool that failed, was aborted
// or stopped early terminates its workers (one may still be drawing).
const idle: Worker[] = [];
const idleTimers = new Map<Worker, NodeJS.Timeout>();
const MAX_IDLE = 2;
const IDLE_MS = 60_000;

function takeWorker(): Worker {
  const warm = idle.pop();
  if (warm) {
    clearTimeout(idleTimers.get(warm));
    idleTimers.delete(warm);
    warm.ref();
    return warm;
  }
  const worker = new Worker(WORKER_URL);
  worker.once('exit', () => {
    const at = idle.indexOf(worker);
    if (at >= 0) idle.splice(at, 1);
    clearTimeout(idleTimers.get(worker));
    idleTimers.delete(worker);
  });
  return worker;
}

function releaseWorker(worker: Worker): Promise<unknown> {
  if (idle.length >= MAX_IDLE) return worker.terminate();
  worker.postMessage({ release: true, credits: 0 } satisfies WorkerRequest);
  worker.unref();
  idle.push(worker);
  const timer = setTimeout(() => void worker.terminate(), IDLE_MS);
  timer.unref();
  idleTimers.set(worker, timer);
  return Promise.resolve();
}

/** Terminates the idle render workers (the next job starts new ones). */
export async function closeIdleWorkers(): Promise<void> {
  const all = idle.splice(0);
  await Promise.all(all.map((w) => w.terminate()));
}

/**
 * Render workers, taken ahead of time (warm from an earlier job, or started now so that their
 * start-up overlaps decoding); `frames` then renders one timeline on them. Always `close` the
 * pool, whether or not frames were taken.
 *
 * @example
 * const pool = new RenderPool(1);
 * try { for await (const f of pool.frames(opts)) … } finally { await pool.close(); }
 */
export class RenderPool {
  readonly #workers: Worker[];
  #failure: Error | null = null;
  #wake: (() => void) | null = null;
  #finished = false;
  readonly #onError = (err: Error): void => this.#fail(err);
  readonly #onExit = (code: number): void => {
    if (code !== 0) this.#fail(new Error(`render worker exited with code ${code}`));
  };

  constructor(count: number) {
    this.#workers = Array.from({ length: Math.max(1, count) }, () => {
      const worker = takeWorker();
      worker.on('error', this.#onError);
      worker.on('exit', this.#onExit);
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
      // Every frame was taken: no worker is drawing or owes a reply, so they can serve another job.
      this.#finished = workers.length === this.#workers.length;
    } finally {
      signal?.removeEventListener('abort', onAbort);
      for (const w of workers) w.off('message', onMessage);
    }
  }

  /** Hands the workers back for the next job when every frame was taken; otherwise terminates them. */
  async close(): Promise<void> {
    const reuse = this.#finished && !this.#failure;
    await Promise.all(this.#workers.map((w) => {
      w.off('error', this.#onError);
      w.off('exit', this.#onExit);
      return reuse ? releaseWorker(w) : w.terminate();
    }));
  }
}
