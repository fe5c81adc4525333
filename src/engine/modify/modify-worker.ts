// The modify worker thread: receives the transform's inputs once, then source frames in order,
// and answers each with the modified frame (transferred, not copied). The first frame of an edit
// is also where the transform is fitted, so the fit runs here too, off the main thread.
import { parentPort } from 'node:worker_threads';
import { FrameModifier } from './modifier.ts';
import type { ModifyThreadInit, ModifyThreadReply, ModifyThreadRequest } from './modify-thread.ts';

const port = parentPort!;
let init: ModifyThreadInit | null = null;
let modifier: FrameModifier | null = null;
let index = 0;

port.on('message', (msg: ModifyThreadRequest) => {
  if (msg.init) {
    init = msg.init;
    if (init.lut) modifier = FrameModifier.fromLut(init.lut, init.setup);
    return;
  }
  if (!msg.frame || !init) return;
  let fitMs: number | undefined;
  if (!modifier) {
    const started = performance.now();
    modifier = FrameModifier.fromEdit(msg.frame, init.edited!, init.setup);
    fitMs = performance.now() - started;
  }
  const frame = modifier.process(msg.frame, index++);
  const reply: ModifyThreadReply = { frame, ...(fitMs !== undefined ? { fitMs } : {}) };
  port.postMessage(reply, [frame.buffer as ArrayBuffer]);
});
