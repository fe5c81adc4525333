// The render worker: started before the images are decoded (so its start-up overlaps decoding)
// and kept for later jobs. For each job it takes an init message, rebuilds the timeline from plain
// inputs (functions do not cross threads) and renders frames while it holds credits, each into
// the next slot of its shared ring, telling the main thread which slot holds which frame. The
// main thread only feeds ffmpeg, so the pipe never starves while a frame is drawn.
import { parentPort } from 'node:worker_threads';
import { FrameRenderer } from './frames.ts';
import type { WorkerInit, WorkerReply, WorkerRequest } from './worker-pool.ts';
import { buildTimeline } from './timeline.ts';

const port = parentPort!;
let renderer: FrameRenderer | null = null;
let init: WorkerInit | null = null;
let slots: Uint8Array[] = [];
let next = 0;
let drawn = 0;
let credits = 0;

function pump(): void {
  if (!renderer || !init) return;
  while (credits > 0 && next < init.end) {
    const slot = drawn % init.ahead;
    renderer.render(next, slots[slot]!);
    const reply: WorkerReply = { index: next, slot };
    port.postMessage(reply);
    next += init.stride;
    drawn++;
    credits--;
  }
}

port.on('message', (msg: WorkerRequest) => {
  if (msg.release) {
    renderer = null;
    init = null;
    slots = [];
    credits = 0;
  }
  if (msg.init) {
    init = msg.init;
    next = init.first;
    drawn = 0;
    credits = 0;
    const { ring, ahead } = init;
    const bytes = ring.byteLength / ahead;
    slots = Array.from({ length: ahead }, (_, n) => new Uint8Array(ring, n * bytes, bytes));
    renderer = new FrameRenderer({
      timeline: buildTimeline(init.timeline),
      sources: init.sources,
      width: init.width,
      height: init.height,
      frames: init.frames,
      loop: init.loop,
      ...(init.morph ? { morph: init.morph } : {}),
    });
  }
  credits += msg.credits;
  pump();
});
