// Scene frames drawn on worker threads, yielded in order with bounded read-ahead: the same shape
// as the engine's RenderPool (worker-pool.ts), for scenes, which need no source images. Each
// worker draws every n-th frame; the owner closes the pool on success, abort or error alike.
import { Worker } from 'node:worker_threads';
import type { SceneRendererOptions } from './renderer.ts';

export interface SceneWorkerRequest {
  init?: SceneRendererOptions & { first: number; stride: number };
  credits: number;
}

export interface SceneWorkerReply {
  index: number;
  frame: Uint8Array;
}

const WORKER_URL = new URL('./scene-worker.ts', import.meta.url);

/**
 * Yields the rgb24 frames of a scene drawn by `threads` workers, at most `ahead` frames in front
 * of the consumer per worker. Workers are terminated when the generator finishes or is abandoned.
 *
 * @example
 * for await (const frame of sceneFrames(options, 1, signal)) …
 */
export async function* sceneFrames(options: SceneRendererOptions, threads: number, signal?: AbortSignal, ahead = 3): AsyncGenerator<Uint8Array, void, undefined> {
  signal?.throwIfAborted();
  const count = Math.max(1, Math.min(threads, options.frames));
  const ready = new Map<number, Uint8Array>();
  // A holder, not a `let`: the type checker cannot see the callbacks that set it.
  const state: { failure: Error | null } = { failure: null };
  let wake: (() => void) | null = null;
  const notify = (): void => {
    const w = wake;
    wake = null;
    w?.();
  };
  const fail = (err: Error): void => {
    state.failure ??= err;
    notify();
  };
  const workers = Array.from({ length: count }, (_, k) => {
    const worker = new Worker(WORKER_URL);
    worker.on('error', fail);
    worker.on('exit', (code) => {
      if (code !== 0) fail(new Error(`scene worker exited with code ${code}`));
    });
    worker.on('message', (msg: SceneWorkerReply) => {
      ready.set(msg.index, msg.frame);
      notify();
    });
    worker.postMessage({ init: { ...options, first: k, stride: count }, credits: ahead } satisfies SceneWorkerRequest);
    return worker;
  });
  const onAbort = (): void => fail(signal?.reason instanceof Error ? signal.reason : new DOMException('The operation was aborted', 'AbortError'));
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    for (let i = 0; i < options.frames; i++) {
      while (!ready.has(i)) {
        if (state.failure) throw state.failure;
        await new Promise<void>((resolve) => (wake = resolve));
      }
      if (state.failure) throw state.failure;
      const frame = ready.get(i)!;
      ready.delete(i);
      yield frame;
      workers[i % count]!.postMessage({ credits: 1 } satisfies SceneWorkerRequest);
    }
  } finally {
    signal?.removeEventListener('abort', onAbort);
    await Promise.all(workers.map((w) => w.terminate()));
  }
}
