// How `reelhouse run` ends: its exit code, what it says on stderr, and what goes on stdout. With
// `--json`, stdout holds exactly one JSON document whatever the outcome, so a script can parse it
// without looking at the exit code first; without, stdout holds only the saved paths (or the
// output, when it has no files), as `keys create` keeps its key alone there.
import type { FieldError } from '../errors.ts';

/** `reelhouse run`'s exit codes. */
export const EXIT = {
  done: 0,
  /** Anything else: the server unreachable, the key refused, a download that failed. */
  error: 1,
  /** Bad usage or bad input, the server's 422 included. */
  usage: 2,
  failed: 3,
  cancelled: 4,
} as const;

export const EXIT_HELP = `exit status:
  0  done: the output is saved
  1  anything else: the server unreachable, the key refused, a download that failed
  2  bad usage or bad input, the server's 422 included (the fields are named)
  3  the request failed
  4  cancelled: Ctrl-C (which cancels the request on the server) or a cancel from elsewhere`;

interface Writer {
  write(text: string): unknown;
}

/** The document `--json` prints; fields beyond these depend on the outcome. */
export interface RunDocument {
  outcome: 'succeeded' | 'failed' | 'cancelled' | 'invalid' | 'error';
  request_id: string | null;
  [field: string]: unknown;
}

const fieldName = (e: FieldError): string => (e.loc[0] === 'body' ? e.loc.slice(1) : e.loc).join('.') || 'input';

export class RunOutput {
  readonly #json: boolean;
  readonly #stdout: Writer;
  readonly #stderr: Writer;

  constructor(json: boolean, stdout: Writer, stderr: Writer) {
    this.#json = json;
    this.#stdout = stdout;
    this.#stderr = stderr;
  }

  #document(code: number, doc: RunDocument): void {
    if (this.#json) this.#stdout.write(`${JSON.stringify({ ...doc, exit_code: code })}\n`);
  }

  succeeded(doc: RunDocument & { output: unknown; files: { path: string }[] }): number {
    this.#document(EXIT.done, doc);
    if (this.#json) return EXIT.done;
    if (doc.files.length === 0) this.#stdout.write(`${JSON.stringify(doc.output, null, 2)}\n`);
    for (const f of doc.files) this.#stdout.write(`${f.path}\n`);
    return EXIT.done;
  }

  /** Input refused, here or by the server: each field named with what is wrong with it. */
  invalid(errors: FieldError[], doc: RunDocument): number {
    this.#stderr.write(`reelhouse: invalid input\n${errors.map((e) => `  ${fieldName(e)}: ${e.msg}\n`).join('')}`);
    this.#document(EXIT.usage, { ...doc, detail: errors });
    return EXIT.usage;
  }

  finish(code: number, doc: RunDocument, message: string): number {
    this.#stderr.write(`reelhouse: ${message}\n`);
    this.#document(code, doc);
    return code;
  }
}
