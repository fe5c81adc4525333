// The modify transform on a worker thread: source frames go in, in order, and come back
// modified, with a few in flight, so the decoder, the transform and the encoder overlap and the
// main thread (which also serves HTTP when workers run in-process) never computes a frame.
import { Worker } from 'node:worker_threads';
import { abortReason } from '../encoder.ts';
import type { YuvImage } from '../yuv.ts';
import type { ColourLut } from './lut.ts';
import type { ModifierSetup } from './modifier.ts';

/** What the thread builds its FrameModifier from: an edited first frame, or a LUT. */
export interface ModifyThreadInit {
  setup: ModifierSetup;
  edited?: YuvImage;
  lut?: ColourLut;
}

export interface ModifyThreadRequest {
  init?: ModifyThreadInit;
  frame?: Uint8Array;
}

export interface ModifyThreadReply {
  frame: Uint8Array;
  /** On the first reply of an edit: how long fitting the transform took. */
  fitMs?: number;
}

const WORKER_URL = new URL('./modify-worker.ts', import.meta.url);

/**
 * One worker thread, started at once so that loading its modules overlaps the caller's own
 * preparation; `start` then gives it the transform. Always `close` it, on success, abort or error.
 *
 * @example
 * const thread = new ModifyThread();
 * try { thread.start({ setup, lut }); for await (const out of thread.map(decoded)) … } finally { await thread.close(); }
 */
export class ModifyThread {
  readonly #worker: Worker;
  readonly #replies: ModifyThreadReply[] = [];
  #failure: Error | null = null;
  #wake: (() => void) | null = null;

  constructor() {
    this.#worker = new Worker(WORKER_URL);
    this.#worker.on('message', (reply: ModifyThreadReply) => {
      this.#replies.push(reply);
      this.#notify();
    });
    this.#worker.on('error', (err: Error) => this.#fail(err));
    this.#worker.on('exit', (code) => this.#fail(new Error(`modify worker exited with code ${code}`)));
  }

  /** What to build the transform from; before `map`. */
  start(init: ModifyThreadInit): void {
    this.#worker.postMessage({ init } satisfies ModifyThreadRequest);
  }

  #fail(err: Error): void {
    this.#failure ??= err;
    this.#notify();
  }

  #notify(): void {
    const wake = this.#wake;
    this.#wake = null;
    wake?.();
  }

  async #reply(): Promise<ModifyThreadReply> {
    for (;;) {
      const reply = this.#replies.shift();
      if (reply) return reply;
      if (this.#failure) throw this.#failure;
      await new Promise<void>((resolve) => (this.#wake = resolve));
    }
  }

  /**
   * The modified frames of `frames`, in order, with up to `ahead` in the thread at once. Each
   * source frame's buffer is transferred to the thread: the caller must not reuse it.
   */
  async *map(frames: AsyncIterable<Uint8Array>, opts: { ahead?: number; signal?: AbortSignal; onFit?: (ms: number) => void } = {}): AsyncGenerator<Uint8Array> {
    const ahead = Math.max(1, opts.ahead ?? 3);
    const { signal } = opts;
    const onAbort = (): void => this.#fail(abortReason(signal));
    signal?.addEventListener('abort', onAbort, { once: true });
    const source = frames[Symbol.asyncIterator]();
    let inFlight = 0;
    let ended = false;
    try {
      for (;;) {
        while (!ended && inFlight < ahead) {
          const next = await source.next();
          if (next.done) {
            ended = true;
            break;
          }
          const frame = next.value;
          this.#worker.postMessage({ frame } satisfies ModifyThreadRequest, [frame.buffer as ArrayBuffer]);
          inFlight++;
        }
        if (inFlight === 0) return;
        const reply = await this.#reply();
        inFlight--;
        if (reply.fitMs !== undefined) opts.onFit?.(reply.fitMs);
        yield reply.frame;
      }
    } finally {
      signal?.removeEventListener('abort', onAbort);
      if (!ended) await source.return?.();
    }
  }

  /** Terminates the thread. */
  async close(): Promise<void> {
    this.#worker.removeAllListeners('exit');
    await this.#worker.terminate();
  }
}
