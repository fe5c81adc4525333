// What `reelhouse run` shows while it works, on stderr. On a terminal: one line redrawn in place
// (`\r`), with the stage, a bar, the percentage and the ETA; messages and log lines are printed
// above it. Elsewhere (a pipe, a CI log): plain lines, one per stage and per tenth of the way, so
// a log file stays readable.

/** Where the display writes: stderr, or a test's buffer. */
export interface DisplayStream {
  write(text: string): unknown;
  isTTY?: boolean | undefined;
  columns?: number | undefined;
}

export interface ProgressDisplay {
  /** The current stage; `fraction` null: no measure of how far (queued, waiting). */
  update(stage: string, fraction: number | null, etaSeconds?: number | null, note?: string): void;
  /** A line of its own (a message, a log line), kept above the bar. */
  line(text: string): void;
  /** Leaves the bar where it is and moves to a new line. */
  end(): void;
}

/** `m:ss`, or `h:mm:ss` past an hour. */
export function formatEta(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  const hh = Math.floor(s / 3600);
  const mm = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, '0');
  return hh > 0 ? `${hh}:${String(mm).padStart(2, '0')}:${ss}` : `${mm}:${ss}`;
}

const percent = (f: number): string => `${Math.floor(Math.min(1, Math.max(0, f)) * 100)}%`;

/** The bar line for a terminal `columns` wide. */
export function barLine(stage: string, fraction: number | null, etaSeconds: number | null, note: string, columns: number): string {
  const eta = etaSeconds !== null && fraction !== null && fraction < 1 ? `ETA ${formatEta(etaSeconds)}` : '';
  const head = stage.padEnd(9);
  if (fraction === null) return `${head} ${note}`.slice(0, columns - 1);
  const tail = [percent(fraction).padStart(4), eta, note].filter(Boolean).join('  ');
  const width = Math.max(10, Math.min(40, columns - head.length - tail.length - 5));
  const filled = Math.round(Math.min(1, Math.max(0, fraction)) * width);
  return `${head} [${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${tail}`.slice(0, columns - 1);
}

class TerminalDisplay implements ProgressDisplay {
  readonly #out: DisplayStream;
  #current = '';

  constructor(out: DisplayStream) {
    this.#out = out;
  }

  update(stage: string, fraction: number | null, etaSeconds: number | null = null, note = ''): void {
    // A pseudo-terminal whose size nobody set reports 0 columns.
    const line = barLine(stage, fraction, etaSeconds, note, this.#out.columns || 80);
    if (line === this.#current) return;
    this.#current = line;
    this.#out.write(`\r${line}\x1b[K`);
  }

  line(text: string): void {
    this.#out.write(`\r\x1b[K${text}\n${this.#current}`);
  }

  end(): void {
    if (this.#current) this.#out.write('\n');
    this.#current = '';
  }
}

class PlainDisplay implements ProgressDisplay {
  readonly #out: DisplayStream;
  #stage = '';
  #tenth = -1;
  #note = '';

  constructor(out: DisplayStream) {
    this.#out = out;
  }

  update(stage: string, fraction: number | null, etaSeconds: number | null = null, note = ''): void {
    const tenth = fraction === null ? -1 : Math.floor(Math.min(1, Math.max(0, fraction)) * 10);
    if (stage === this.#stage && tenth === this.#tenth && (fraction !== null || note === this.#note)) return;
    this.#stage = stage;
    this.#tenth = tenth;
    this.#note = note;
    const eta = etaSeconds !== null && fraction !== null && fraction < 1 ? `ETA ${formatEta(etaSeconds)}` : '';
    this.#out.write(`${[stage, fraction === null ? '' : percent(fraction), eta, note].filter(Boolean).join('  ')}\n`);
  }

  line(text: string): void {
    this.#out.write(`${text}\n`);
  }

  end(): void {}
}

class QuietDisplay implements ProgressDisplay {
  update(): void {}
  line(): void {}
  end(): void {}
}

/** A bar on a terminal, plain lines elsewhere, nothing when `quiet`. */
export function createDisplay(out: DisplayStream, quiet: boolean): ProgressDisplay {
  if (quiet) return new QuietDisplay();
  return out.isTTY ? new TerminalDisplay(out) : new PlainDisplay(out);
}
