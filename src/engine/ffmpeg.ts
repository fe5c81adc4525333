// Locating and spawning ffmpeg/ffprobe. The engine never reads the environment: the caller
// resolves the binary paths (config module) and passes them in; the defaults rely on PATH lookup,
// which spawn already does, so "finding" a binary is just spawning it and mapping ENOENT.
import { spawn } from 'node:child_process';
import type { ChildProcess, SpawnOptions } from 'node:child_process';

export const DEFAULT_FFMPEG = 'ffmpeg';
export const DEFAULT_FFPROBE = 'ffprobe';

/** ffmpeg or ffprobe could not be started: absent from PATH, or the given path is wrong. */
export class FfmpegMissingError extends Error {
  readonly binary: string;

  constructor(binary: string, cause?: unknown) {
    const tool = /ffprobe[^/\\]*$/.test(binary) ? 'ffprobe' : 'ffmpeg';
    super(
      `reelhouse needs ${tool} on the PATH (could not run "${binary}"); ` +
        `on Debian/Ubuntu: apt-get install ffmpeg, ` +
        `or pass the binary's full path (the ${tool}Path option)`,
      { cause },
    );
    this.name = 'FfmpegMissingError';
    this.binary = binary;
  }
}

/** ffmpeg ran but failed; the message carries the tail of its stderr. */
export class FfmpegError extends Error {
  readonly exitCode: number | null;
  readonly stderrTail: string;

  constructor(what: string, exitCode: number | null, stderrTail: string) {
    super(`${what} failed (exit ${exitCode ?? 'signal'}): ${stderrTail.trim() || '(no output)'}`);
    this.name = 'FfmpegError';
    this.exitCode = exitCode;
    this.stderrTail = stderrTail;
  }
}

function isNotRunnable(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException | null)?.code;
  return code === 'ENOENT' || code === 'EACCES';
}

/** Maps a spawn 'error' event: a binary that cannot be run becomes FfmpegMissingError. */
export function spawnError(binary: string, err: unknown): Error {
  if (isNotRunnable(err)) return new FfmpegMissingError(binary, err);
  return err instanceof Error ? err : new Error(String(err));
}

/** Spawns a tool with piped stdio; listen for 'error' and map it through spawnError. */
export function spawnTool(binary: string, args: readonly string[], options: SpawnOptions = {}): ChildProcess {
  return spawn(binary, args, { stdio: ['pipe', 'pipe', 'pipe'], ...options });
}

/** Keeps the last `limit` characters of a stream, for error messages. */
export function captureTail(stream: NodeJS.ReadableStream | null, limit = 4000): () => string {
  let tail = '';
  stream?.setEncoding('utf8');
  stream?.on('data', (chunk: string) => {
    tail = (tail + chunk).slice(-limit);
  });
  return () => tail;
}

/** Runs a tool to completion and returns its stdout; rejects with FfmpegError on a non-zero exit. */
export function runTool(binary: string, args: readonly string[], signal?: AbortSignal): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawnTool(binary, args, { stdio: ['ignore', 'pipe', 'pipe'], signal });
    const chunks: Buffer[] = [];
    child.stdout?.on('data', (chunk: Buffer) => chunks.push(chunk));
    const stderr = captureTail(child.stderr);
    child.once('error', (err) => reject(spawnError(binary, err)));
    child.once('close', (code) => {
      if (code === 0) resolve(Buffer.concat(chunks).toString('utf8'));
      else reject(new FfmpegError(`${binary} ${args.join(' ')}`, code, stderr()));
    });
  });
}

async function checkTool(binary: string): Promise<{ version: string }> {
  const out = await runTool(binary, ['-hide_banner', '-version']);
  const version = /version\s+(\S+)/.exec(out)?.[1] ?? 'unknown';
  return { version };
}

/**
 * Verifies ffmpeg can be run; call it at startup so a missing binary fails loudly and early.
 *
 * @example
 * const { version } = await checkFfmpeg(config.ffmpegPath); // '5.1.9-0+deb12u1'
 */
export function checkFfmpeg(ffmpegPath: string = DEFAULT_FFMPEG): Promise<{ version: string }> {
  return checkTool(ffmpegPath);
}

/** Same as checkFfmpeg, for ffprobe (used by tooling that inspects outputs). */
export function checkFfprobe(ffprobePath: string = DEFAULT_FFPROBE): Promise<{ version: string }> {
  return checkTool(ffprobePath);
}
