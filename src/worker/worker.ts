// The worker: claims a request under a lease, keeps the lease alive, resolves the input files,
// runs the endpoint's runner, stores the outputs and finishes the request, in that order. Every
// write after the claim proves the lease, so a worker that lost its lease (it stalled, or was
// presumed dead) can never finish a request another worker has taken over.
import fsp from 'node:fs/promises';
import path from 'node:path';
import type { BlobStore } from '../blobs/blobs.ts';
import type { FileService } from '../blobs/files.ts';
import { runnerOf, type EndpointRegistry } from '../endpoints/registry.ts';
import { ValidationError } from '../errors.ts';
import type { RequestEvents } from '../requests/events.ts';
import { cancelledOutcome, inputFailure, runnerFailure } from '../requests/failures.ts';
import { resolveFileInputs, type FileInputDeps } from '../requests/file-inputs.ts';
import { RunnerInputError, type RunContext, type Runner } from '../runners/runner.ts';
import type { Claim, FileRecord, LogLevel, Outcome } from '../store/records.ts';
import type { Store } from '../store/store.ts';
import { storeOutputs } from './outputs.ts';
import { LogBuffer } from './log-buffer.ts';
import { ProgressReporter } from './progress.ts';
import { sweepDeadWorkerDirs, workerDirName } from './tmp-dirs.ts';

export interface WorkerLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export interface WorkerDeps extends FileInputDeps {
  workerId: string;
  store: Store;
  blobs: BlobStore;
  files: FileService;
  endpoints: EndpointRegistry;
  runners: ReadonlyMap<string, Runner>;
  events: RequestEvents;
  logger: WorkerLogger;
  /** Parent of this worker's scratch folder. */
  tmpRoot: string;
  publicUrl: string;
  maxDataUriBytes: number;
  leaseMs: number;
  heartbeatMs: number;
  /** Longest idle wait between looks at the queue when no event wakes the worker (default: the events' fallback). */
  pollMs?: number;
  now: () => number;
}

type StopReason = 'cancelled' | 'lease-lost' | 'shutdown';

class Stop extends Error {
  readonly reason: StopReason;
  constructor(reason: StopReason) {
    super(`stopped: ${reason}`);
    this.reason = reason;
  }
}

export class Worker {
  readonly #d: WorkerDeps;
  readonly #stopping = new AbortController();
  readonly #running = new Set<AbortController>();
  #loops: Promise<void>[] = [];
  /** Slots waiting for work, first idle first. */
  readonly #idlers: (() => void)[] = [];
  #offSubmitted: () => void = () => {};

  constructor(deps: WorkerDeps) {
    this.#d = deps;
  }

  get #dir(): string {
    return path.join(this.#d.tmpRoot, workerDirName(this.#d.workerId));
  }

  async start(slots: number): Promise<void> {
    const swept = await sweepDeadWorkerDirs(this.#d.tmpRoot, workerDirName(this.#d.workerId));
    if (swept > 0) this.#d.logger.info({ swept }, 'removed scratch folders of dead workers');
    await fsp.mkdir(this.#dir, { recursive: true });
    this.#offSubmitted = this.#d.events.onSubmitted(() => this.#wakeOne());
    this.#loops = Array.from({ length: slots }, () => this.#loop());
  }

  /** Stops claiming, stops running work and gives it back to the queue, then returns. */
  async stop(): Promise<void> {
    this.#stopping.abort();
    this.#offSubmitted();
    for (const ac of this.#running) ac.abort(new Stop('shutdown'));
    await Promise.all(this.#loops);
    await fsp.rm(this.#dir, { recursive: true, force: true });
  }

  async #loop(): Promise<void> {
    while (!this.#stopping.signal.aborted) {
      try {
        const claim = await this.#d.store.requests.claim(this.#d.workerId, this.#d.leaseMs, this.#d.now());
        if (claim) {
          // There may be more where this came from: one idle sibling looks too. A submit wakes one
          // slot per process, not all of them, so N processes × M slots do not all race for one row.
          this.#wakeOne();
          this.#d.events.changed(claim.request.id);
          await this.#process(claim);
        } else {
          await this.#idle();
        }
      } catch (err) {
        // The store itself failed (disk full, database gone): say so and back off, never spin.
        this.#d.logger.error({ err }, 'worker loop error');
        await this.#idle();
      }
    }
  }

  #wakeOne(): void {
    this.#idlers.shift()?.();
  }

  async #idle(): Promise<void> {
    const wait = Math.min(this.#d.pollMs ?? this.#d.events.fallbackPollMs, this.#d.leaseMs / 2);
    await new Promise<void>((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        const i = this.#idlers.indexOf(done);
        if (i >= 0) this.#idlers.splice(i, 1);
        this.#stopping.signal.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, wait);
      this.#idlers.push(done);
      this.#stopping.signal.addEventListener('abort', done, { once: true });
    });
  }

  async #process({ request, leaseToken }: Claim): Promise<void> {
    const { store, events, logger } = this.#d;
    const log = logger;
    const ac = new AbortController();
    this.#running.add(ac);
    const dir = path.join(this.#dir, request.id);
    const beat = (): void => {
      store.requests.heartbeat(request.id, leaseToken, this.#d.leaseMs, this.#d.now()).then(
        (hb) => {
          if (!hb.held) ac.abort(new Stop('lease-lost'));
          else if (hb.cancelRequested) ac.abort(new Stop('cancelled'));
        },
        (err: unknown) => log.error({ err, requestId: request.id }, 'heartbeat failed'),
      );
    };
    const heartbeat = setInterval(beat, this.#d.heartbeatMs);
    const offCancel = events.onCancelRequested(request.id, beat);
    const logs = new LogBuffer({
      store, events, requestId: request.id, now: this.#d.now,
      onError: (err) => log.error({ err, requestId: request.id }, 'could not store log lines'),
    });
    const appendLog = (message: string, level: LogLevel = 'INFO'): void => logs.append(message, level);
    let reporter: ProgressReporter | null = null;
    const finish = async (outcome: Outcome, records: readonly FileRecord[] = []): Promise<boolean> => {
      await reporter?.flush();
      // The last lines (and, on success, 'Completed') are written with the completion itself.
      const last = await logs.drain(...(outcome.state === 'succeeded' ? ['Completed'] : []));
      const done = await store.requests.finish(request.id, leaseToken, outcome, this.#d.now(), { files: records, logs: last });
      events.changed(request.id);
      return done;
    };

    let scratch = false;
    try {
      const input = request.input as Record<string, unknown>;
      const endpoint = this.#d.endpoints.get(request.endpointId);
      const runner = endpoint && this.#d.runners.get(runnerOf(endpoint, input));
      if (!endpoint || !runner) throw new Error(`no runner for endpoint ${request.endpointId}`);
      // A scratch folder costs two file-system calls per request: only for those that use one.
      scratch = runner.usesScratch !== false || endpoint.fileFields.length > 0;
      if (scratch) await fsp.mkdir(dir, { recursive: true });
      appendLog(`Attempt ${request.attempts} started on ${this.#d.workerId}`);
      const files = await resolveFileInputs(endpoint, input, this.#d, dir, ac.signal);
      ac.signal.throwIfAborted();
      const progress = new ProgressReporter({
        store, blobs: this.#d.blobs, events, requestId: request.id, leaseToken, now: this.#d.now,
      });
      reporter = progress;
      const ctx: RunContext = {
        requestId: request.id,
        endpointId: request.endpointId,
        quality: endpoint.quality ?? 'standard',
        files,
        tmpDir: dir,
        signal: ac.signal,
        progress: (fraction, stage) => progress.report(fraction, stage),
        preview: (frame) => progress.preview(frame),
        log: appendLog,
      };
      const output = await runner.run(request.endpointId, input, ctx);
      ac.signal.throwIfAborted();
      await progress.flush();
      const { result, records } = await storeOutputs(output, this.#d.files, request.owner, request.id, request.outputLifetimeMs);
      if (!(await finish({ state: 'succeeded', result }, records))) {
        // Someone else holds the request now: our copies are nobody's.
        await Promise.all(records.map((r) => this.#d.blobs.delete(r.blobKey)));
        log.warn({ requestId: request.id }, 'lease lost before completion; output discarded');
      } else {
        log.info({ requestId: request.id, endpoint: request.endpointId }, 'request succeeded');
      }
    } catch (err) {
      await this.#fail(err, ac.signal, request.id, leaseToken, finish);
    } finally {
      clearInterval(heartbeat);
      offCancel();
      await logs.close(); // lines of a request this worker did not finish (released, lease lost)
      this.#running.delete(ac);
      if (scratch) await fsp.rm(dir, { recursive: true, force: true });
    }
  }

  async #fail(err: unknown, signal: AbortSignal, id: string, leaseToken: string, finish: (o: Outcome) => Promise<boolean>): Promise<void> {
    const stop = signal.reason instanceof Stop ? signal.reason.reason : null;
    if (stop === 'lease-lost') return; // another worker owns it now
    if (stop === 'shutdown') {
      await this.#d.store.requests.release(id, leaseToken);
      this.#d.events.changed(id);
      this.#d.events.submitted(); // back in the queue: a worker elsewhere takes it now

      return;
    }
    if (stop === 'cancelled') {
      await finish(cancelledOutcome());
      return;
    }
    if (err instanceof ValidationError) {
      await finish({ state: 'failed', failure: inputFailure(err.errors) });
    } else if (err instanceof RunnerInputError) {
      await finish({ state: 'failed', failure: inputFailure([{ loc: ['body', err.field], msg: err.message, type: 'value_error' }]) });
    } else {
      this.#d.logger.error({ err, requestId: id }, 'runner failed');
      await finish({ state: 'failed', failure: runnerFailure(err instanceof Error ? err.message : String(err)) });
    }
  }
}
