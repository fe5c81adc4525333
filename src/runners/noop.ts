// A runner that does nothing, quickly: for health checks of the whole queue path and for
// measuring the queue itself (bench/queue.ts). It can sleep, report progress and fail on request.
import { setTimeout as sleep } from 'node:timers/promises';
import type { RunContext, Runner } from './runner.ts';

export interface NoopInput {
  sleep_ms: number;
  steps: number;
  fail: boolean;
}

export class NoopRunner implements Runner {
  readonly name = 'noop';
  readonly usesScratch = false;

  async run(_endpointId: string, rawInput: unknown, ctx: RunContext): Promise<unknown> {
    const input = rawInput as NoopInput;
    for (let i = 1; i <= input.steps; i++) {
      if (input.sleep_ms > 0) await sleep(input.sleep_ms / input.steps, undefined, { signal: ctx.signal });
      ctx.progress(i / input.steps, 'sleep');
      ctx.log(`step ${i} of ${input.steps}`);
    }
    if (input.fail) throw new Error('failed on request (fail: true)');
    return { ok: true, request_id: ctx.requestId };
  }
}
