// The runner contract: what sits behind an endpoint and turns a validated input into output.
// The built-in `motion` runner renders on the CPU; upstream and external runners come later.
import type { Quality } from '../endpoints/registry.ts';
import type { LogLevel } from '../store/records.ts';

/** A file a runner produced; the worker stores it and puts a fal `File` in its place. */
export class OutputFile {
  readonly path: string;
  readonly contentType: string;
  readonly fileName: string;

  constructor(path: string, contentType: string, fileName: string) {
    this.path = path;
    this.contentType = contentType;
    this.fileName = fileName;
  }
}

/** An input file, fetched or decoded by the worker before the runner starts. */
export interface InputFile {
  path: string;
  contentType: string;
}

export interface RunContext {
  requestId: string;
  endpointId: string;
  /** `draft` (the flash endpoints): trade picture quality for speed, e.g. a faster encoder preset. */
  quality: Quality;
  /** Resolved file fields of the input, by field name. */
  files: Readonly<Record<string, InputFile>>;
  /** A directory of the runner's own, removed after the run. */
  tmpDir: string;
  signal: AbortSignal;
  /** Fraction done in [0, 1] and the current stage. */
  progress(fraction: number, stage: string): void;
  /** Offers the frame being made, for the preview clients see; cheap to call every frame. */
  preview(frame: { data: Uint8Array; width: number; height: number }): void;
  log(message: string, level?: LogLevel): void;
}

export interface Runner {
  readonly name: string;
  /** False for runners that never touch `ctx.tmpDir` (it is then not created). */
  readonly usesScratch?: boolean;
  /** Returns the endpoint's output, with OutputFile wherever a File belongs. */
  run(endpointId: string, input: unknown, ctx: RunContext): Promise<unknown>;
}

/** Thrown by a runner for a failure the caller caused (a bad image, say): answered as 422. */
export class RunnerInputError extends Error {
  readonly field: string;

  constructor(field: string, message: string) {
    super(message);
    this.field = field;
  }
}
