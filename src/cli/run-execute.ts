// `reelhouse run` once its input is checked: upload local files, submit through the queue, follow
// the status stream, fetch the result, save the output files. Ctrl-C cancels the request on the
// server and waits for it to end (a second Ctrl-C stops waiting). Ends in one of the exit codes.
import path from 'node:path';
import type { FieldError } from '../errors.ts';
import { ApiError, UnreachableError, type RunClient, type StatusBody } from './run-client.ts';
import { EXIT, type RunOutput } from './run-output.ts';
import type { ProgressDisplay } from './run-progress.ts';

export interface ExecuteOptions {
  client: RunClient;
  endpointId: string;
  /** The input to send; file fields named in `uploads` hold local paths until uploaded. */
  input: Record<string, unknown>;
  uploads: { field: string; path: string }[];
  /** `--out`; null: a name made from the endpoint and request id, in `cwd`. */
  out: { path: string; isDir: boolean } | null;
  cwd: string;
  logs: boolean;
  display: ProgressDisplay;
  output: RunOutput;
}

/** A File object of an output (fal's `{url, content_type, file_name, file_size}`), with where it sits. */
interface OutputFile {
  field: string;
  url: string;
  fileName: string | undefined;
}

function findFiles(v: unknown, at: string[] = []): OutputFile[] {
  if (Array.isArray(v)) return v.flatMap((x, i) => findFiles(x, [...at, String(i)]));
  if (v === null || typeof v !== 'object') return [];
  const o = v as Record<string, unknown>;
  if (typeof o.url === 'string' && (typeof o.content_type === 'string' || typeof o.file_name === 'string')) {
    return [{ field: at.join('.') || 'file', url: o.url, fileName: typeof o.file_name === 'string' ? o.file_name : undefined }];
  }
  return Object.entries(o).flatMap(([k, x]) => findFiles(x, [...at, k]));
}

function destination(opts: ExecuteOptions, requestId: string, file: OutputFile, count: number): string {
  const ext = path.extname(file.fileName ?? new URL(file.url).pathname) || '.bin';
  const suffix = count > 1 ? `-${file.field.replaceAll('.', '-')}` : '';
  const made = `${opts.endpointId.split('/').pop()}-${requestId.slice(0, 8)}${suffix}${ext}`;
  if (!opts.out) return path.join(opts.cwd, made);
  if (opts.out.isDir) return path.join(opts.out.path, made);
  if (count === 1) return opts.out.path;
  const given = path.parse(opts.out.path);
  return path.join(given.dir, `${given.name}${suffix}${given.ext || ext}`);
}

/** fal's 422 detail as field errors; anything else as one error on the body. */
export function fieldErrors(detail: unknown): FieldError[] {
  if (Array.isArray(detail)) return detail as FieldError[];
  return [{ loc: ['body'], msg: typeof detail === 'string' ? detail : JSON.stringify(detail), type: 'value_error' }];
}

function show(display: ProgressDisplay, s: StatusBody, lastStage: string): string {
  if (s.status === 'IN_QUEUE') {
    display.update('queued', null, null, `position ${s.queue_position ?? 0}`);
    return lastStage;
  }
  if (s.status === 'IN_PROGRESS') {
    if (!s.progress) display.update('running', null, null, 'started');
    else display.update(s.progress.stage || 'running', s.progress.fraction, s.progress.eta_seconds);
    return s.progress?.stage || lastStage;
  }
  if (!s.error) display.update(lastStage || 'done', 1, 0);
  return lastStage;
}

export async function execute(opts: ExecuteOptions): Promise<number> {
  const { client, display, output } = opts;
  const work = new AbortController(); // the first Ctrl-C: stop uploading or downloading
  const stopWaiting = new AbortController(); // the second: stop waiting for the cancel to land
  let requestUrl: string | null = null;
  let requestId: string | null = null;
  const cancelling: Promise<void>[] = [];
  let interrupts = 0;
  let downloading = false;
  const sendCancel = (): void => {
    if (requestUrl === null || cancelling.length > 0) return;
    display.line('cancelling the request on the server… (Ctrl-C again to stop waiting)');
    cancelling.push(client.cancel(requestUrl).then(
      (answer) => display.line(`cancel: ${answer}`),
      (err: unknown) => display.line(`cancel failed: ${(err as Error).message}`),
    ));
  };
  const onInterrupt = (): void => {
    interrupts++;
    if (interrupts === 1) {
      work.abort();
      sendCancel();
    } else {
      stopWaiting.abort();
    }
  };
  process.on('SIGINT', onInterrupt);
  const cancelled = (why: string): number =>
    output.finish(EXIT.cancelled, { outcome: 'cancelled', request_id: requestId, endpoint_id: opts.endpointId }, why);
  try {
    for (const u of opts.uploads) {
      const name = path.basename(u.path);
      display.update('upload', 0, null, name);
      opts.input[u.field] = await client.upload(u.path, work.signal, (f) => display.update('upload', f, null, name));
    }
    if (interrupts > 0) return cancelled('cancelled before the request was sent');
    display.update('submit', null, null, 'sending the request');
    // The first Ctrl-C lets the submit finish: once sent, the request may exist, and only its id
    // lets the cancel reach it. A second one stops waiting for an answer.
    requestId = (await client.submit(opts.endpointId, opts.input, stopWaiting.signal)).request_id;
    requestUrl = client.requestUrl(opts.endpointId, requestId);
    display.line(`request ${requestId}`);
    if (interrupts > 0) sendCancel();

    let last: StatusBody | undefined;
    let stage = '';
    for await (const s of client.follow(requestUrl, opts.logs, stopWaiting.signal)) {
      if (opts.logs) for (const l of s.logs ?? []) display.line(l.message);
      stage = show(display, s, stage);
      last = s;
    }
    display.end();
    const result = await client.result(requestUrl);
    const base = { request_id: requestId, endpoint_id: opts.endpointId, metrics: last?.metrics ?? null };
    if (result.status !== 200) {
      const body = (result.body ?? {}) as { detail?: unknown; error_type?: string };
      const doc = { ...base, error: last?.error ?? body.detail, error_type: body.error_type ?? null, detail: body.detail ?? null };
      if (body.error_type === 'client_cancelled') return cancelled(`request ${requestId} cancelled`);
      if (result.status === 422) {
        return output.invalid(fieldErrors(body.detail), { ...doc, outcome: 'invalid' });
      }
      return output.finish(EXIT.failed, { ...doc, outcome: 'failed' }, `request failed (${body.error_type ?? `HTTP ${result.status}`}): ${last?.error ?? JSON.stringify(body.detail)}`);
    }
    if (interrupts > 0) return cancelled(`request ${requestId} had already finished; its output stays on the server`);

    downloading = true;
    const files = findFiles(result.body);
    const saved: { field: string; url: string; path: string; bytes: number }[] = [];
    for (const file of files) {
      const dest = destination(opts, requestId, file, files.length);
      display.update('download', 0, null, path.basename(dest));
      const bytes = await client.download(file.url, dest, work.signal, (f) => display.update('download', f, null, path.basename(dest)));
      display.update('download', 1, null, path.basename(dest));
      saved.push({ field: file.field, url: file.url, path: dest, bytes });
    }
    display.end();
    return output.succeeded({ ...base, outcome: 'succeeded', output: result.body, path: saved[0]?.path ?? null, files: saved });
  } catch (err) {
    display.end();
    if ((err as Error).name === 'AbortError' || stopWaiting.signal.aborted) {
      if (requestId === null && stopWaiting.signal.aborted) return cancelled('stopped before the server answered the submit; the request may exist');
      if (requestId === null) return cancelled('cancelled before the request was sent');
      if (downloading) return cancelled(`download stopped; the output of request ${requestId} stays on the server`);
      return cancelled(`stopped waiting for request ${requestId}`);
    }
    if (err instanceof ApiError && err.status === 422) {
      return output.invalid(fieldErrors((err.body as { detail?: unknown } | null)?.detail), { outcome: 'invalid', request_id: requestId });
    }
    const message = err instanceof ApiError || err instanceof UnreachableError ? err.message : String((err as Error).stack ?? err);
    const hint = err instanceof ApiError && err.status === 401 ? ' (give a key: --key, REELHOUSE_KEY or FAL_KEY)' : '';
    return output.finish(EXIT.error, { outcome: 'error', request_id: requestId, endpoint_id: opts.endpointId, error: message }, `${message}${hint}`);
  } finally {
    process.off('SIGINT', onInterrupt);
    await Promise.all(cancelling);
  }
}
