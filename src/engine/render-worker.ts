// The render worker: rebuilds the timeline from plain inputs (functions do not cross threads) and
// renders frames while it holds credits, transferring each finished frame to the main thread.
// The main thread only feeds ffmpeg, so the pipe never starves while a frame is being drawn.
import { parentPort, workerData } from 'node:worker_threads';
import { FrameRenderer } from './frames.ts';
import type { WorkerInit, WorkerReply, WorkerRequest } from './worker-pool.ts';
import { buildTimeline } from './timeline.ts';

const init = workerData as WorkerInit;
const port = parentPort!;
const renderer = new FrameRenderer({
  timeline: buildTimeline(init.timeline),
  sources: init.sources,
  width: init.width,
  height: init.height,
  frames: init.frames,
  loop: init.loop,
  ...(init.morph ? { morph: init.morph } : {}),
});

let next = init.first;
let credits = 0;
let busy = false;

function pump(): void {
  if (busy) return;
  busy = true;
  try {
    while (credits > 0 && next < init.end) {
      const frame = new Uint8Array(renderer.frameBytes);
      renderer.render(next, frame);
      const reply: WorkerReply = { index: next, frame };
      port.postMessage(reply, [frame.buffer]);
      next += init.stride;
      credits--;
    }
  } finally {
    busy = false;
  }
}

port.on('message', (msg: WorkerRequest) => {
  credits += msg.credits;
  pump();
});
