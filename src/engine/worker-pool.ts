// Frames rendered on worker threads, yielded in order with bounded read-ahead. Each worker draws
// every n-th frame and may run `ahead` frames in front of the encoder; a frame's buffer is
// transferred (not copied) to the main thread. On abort or error every worker is terminated.
import { Worker } from 'node:worker_threads';
import type { MorphField } from './morph.ts';
import type { Source } from './source.ts';
import type { ImageRole, TimelineInput } from './timeline.ts';

/** What a render worker is started with (structured-cloned). */
export interface WorkerInit {
  timeline: TimelineInput;
  sources: Partial<Record<ImageRole, Source>>;
  morph?: MorphField;
  width: number;
  height: number;
  frames: number;
  loop: boolean;
  /** This worker renders frames first, first + stride, … below end. */
  first: number;
  stride: number;
  end: number;
}

export interface WorkerRequest {
  credits: number;
}

export interface WorkerReply {
  index: number;
  frame: Uint8Array;
}

export interface WorkerFramesOptions {
  timeline: TimelineInput;
  sources: Partial<Record<ImageRole, Source>>;
  morph?: MorphField;
  width: number;
  height: number;
  frames: number;
  loop: boolean;
  /** Number of worker threads (≥ 1). */
  workers?: number;
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
 * Yields the frames of a timeline rendered on worker threads, in order.
 *
 * @example
 * for await (const frame of workerFrames({ timeline: { start: true, end: false, loop: false }, sources, width, height, frames: 120, loop: false })) ...
 */
export async function* workerFrames(opts: WorkerFramesOptions): AsyncGenerator<Uint8Array, void, undefined> {
  const { frames, signal } = opts;
  const count = Math.max(1, Math.min(opts.workers ?? 1, frames));
  const ahead = Math.max(1, opts.ahead ?? 3);
  signal?.throwIfAborted();
  const ready = new Map<number, Uint8Array>();
  let failure: Error | null = null as Error | null;
  let wake: (() => void) | null = null;
  const notify = (): void => {
    const w = wake;
    wake = null;
    w?.();
  };
  const sources = planesOnly(opts.sources);
  const workers = Array.from({ length: count }, (_, k) => {
    const init: WorkerInit = {
      timeline: opts.timeline, sources, width: opts.width, height: opts.height, frames, loop: opts.loop,
      first: k, stride: count, end: frames, ...(opts.morph ? { morph: opts.morph } : {}),
    };
    const worker = new Worker(WORKER_URL, { workerData: init });
    worker.on('message', (msg: WorkerReply) => {
      ready.set(msg.index, msg.frame);
      notify();
    });
    worker.on('error', (err) => {
      failure ??= err;
      notify();
    });
    worker.on('exit', (code) => {
      if (code !== 0) failure ??= new Error(`render worker exited with code ${code}`);
      notify();
    });
    worker.postMessage({ credits: ahead } satisfies WorkerRequest);
    return worker;
  });
  const onAbort = (): void => {
    failure ??= signal?.reason instanceof Error ? signal.reason : new DOMException('The operation was aborted', 'AbortError');
    notify();
  };
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    for (let i = 0; i < frames; i++) {
      while (!ready.has(i)) {
        if (failure) throw failure;
        await new Promise<void>((resolve) => (wake = resolve));
      }
      if (failure) throw failure;
      const frame = ready.get(i)!;
      ready.delete(i);
      yield frame;
      // The consumer has taken the frame (and, through its backpressure, written the previous
      // ones): the worker that drew it may draw one more.
      workers[i % count]!.postMessage({ credits: 1 } satisfies WorkerRequest);
    }
  } finally {
    signal?.removeEventListener('abort', onAbort);
    await Promise.all(workers.map((w) => w.terminate()));
  }
}
