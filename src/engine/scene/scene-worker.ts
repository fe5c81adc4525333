// A scene render worker: builds the scene from plain options (the plan is cheap to rebuild and
// deterministic, so nothing but the options crosses the thread boundary) and draws every
// `stride`-th frame while it holds credits, transferring each finished frame to the caller.
import { parentPort } from 'node:worker_threads';
import { SceneRenderer } from './renderer.ts';
import type { SceneWorkerReply, SceneWorkerRequest } from './scene-pool.ts';

const port = parentPort!;
let renderer: SceneRenderer | null = null;
let next = 0;
let stride = 1;
let end = 0;
let credits = 0;

function pump(): void {
  if (!renderer) return;
  while (credits > 0 && next < end) {
    const frame = new Uint8Array(renderer.frameBytes);
    renderer.render(next, frame);
    const reply: SceneWorkerReply = { index: next, frame };
    port.postMessage(reply, [frame.buffer]);
    next += stride;
    credits--;
  }
}

port.on('message', (msg: SceneWorkerRequest) => {
  if (msg.init) {
    const { first, stride: s, ...options } = msg.init;
    renderer = new SceneRenderer(options);
    next = first;
    stride = s;
    end = options.frames;
  }
  credits += msg.credits;
  pump();
});
