// A small Prometheus registry: counters, gauges and histograms with labels, written out in the
// text exposition format (version 0.0.4). Hand-written rather than prom-client: the format is a
// page of rules, and the few metrics here need none of prom-client's cluster or default-metric
// machinery.
type Labels = Record<string, string>;

/** Label values escaped as the format says: backslash, double quote and newline. */
const escapeValue = (v: string): string => v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
const escapeHelp = (v: string): string => v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');

function labelText(labels: Labels): string {
  const parts = Object.entries(labels).map(([k, v]) => `${k}="${escapeValue(v)}"`);
  return parts.length ? `{${parts.join(',')}}` : '';
}

function num(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  return String(v);
}

interface Metric {
  readonly name: string;
  render(): string[];
}

abstract class Family<V> implements Metric {
  readonly name: string;
  readonly help: string;
  readonly labelNames: readonly string[];
  protected readonly values = new Map<string, { labels: Labels; value: V }>();

  constructor(name: string, help: string, labelNames: readonly string[]) {
    this.name = name;
    this.help = help;
    this.labelNames = labelNames;
  }

  protected entry(labels: Labels, make: () => V): { labels: Labels; value: V } {
    const ordered: Labels = {};
    for (const n of this.labelNames) ordered[n] = labels[n] ?? '';
    const key = JSON.stringify(ordered);
    let e = this.values.get(key);
    if (!e) {
      e = { labels: ordered, value: make() };
      this.values.set(key, e);
    }
    return e;
  }

  protected header(type: string): string[] {
    return [`# HELP ${this.name} ${escapeHelp(this.help)}`, `# TYPE ${this.name} ${type}`];
  }

  abstract render(): string[];
}

/** Only goes up (restarts reset it; Prometheus' rate() handles that). */
export class Counter extends Family<number> {
  inc(labels: Labels = {}, by = 1): void {
    if (!(by >= 0)) throw new Error(`${this.name}: a counter cannot go down (${by})`);
    this.entry(labels, () => 0).value += by;
  }

  /** Makes a series visible at 0 before its first event, so rate() has a start. */
  touch(labels: Labels = {}): void {
    this.entry(labels, () => 0);
  }

  render(): string[] {
    return [...this.header('counter'), ...[...this.values.values()].map((e) => `${this.name}${labelText(e.labels)} ${num(e.value)}`)];
  }
}

/** A value read at scrape time; `reset()` drops series that no longer exist. */
export class Gauge extends Family<number> {
  set(labels: Labels, value: number): void {
    this.entry(labels, () => 0).value = value;
  }

  reset(): void {
    this.values.clear();
  }

  render(): string[] {
    return [...this.header('gauge'), ...[...this.values.values()].map((e) => `${this.name}${labelText(e.labels)} ${num(e.value)}`)];
  }
}

interface Buckets {
  counts: number[];
  sum: number;
  count: number;
}

export class Histogram extends Family<Buckets> {
  readonly buckets: readonly number[];

  constructor(name: string, help: string, labelNames: readonly string[], buckets: readonly number[]) {
    super(name, help, labelNames);
    this.buckets = [...buckets].sort((a, b) => a - b);
  }

  observe(labels: Labels, value: number): void {
    const e = this.entry(labels, () => ({ counts: this.buckets.map(() => 0), sum: 0, count: 0 })).value;
    this.buckets.forEach((le, i) => {
      if (value <= le) e.counts[i]! += 1;
    });
    e.sum += value;
    e.count += 1;
  }

  render(): string[] {
    const lines = this.header('histogram');
    for (const { labels, value } of this.values.values()) {
      this.buckets.forEach((le, i) => lines.push(`${this.name}_bucket${labelText({ ...labels, le: num(le) })} ${value.counts[i]}`));
      lines.push(`${this.name}_bucket${labelText({ ...labels, le: '+Inf' })} ${value.count}`);
      lines.push(`${this.name}_sum${labelText(labels)} ${num(value.sum)}`);
      lines.push(`${this.name}_count${labelText(labels)} ${value.count}`);
    }
    return lines;
  }
}

export class MetricRegistry {
  readonly #metrics: Metric[] = [];

  add<M extends Metric>(metric: M): M {
    if (this.#metrics.some((m) => m.name === metric.name)) throw new Error(`metric ${metric.name} registered twice`);
    this.#metrics.push(metric);
    return metric;
  }

  /** The exposition text, ending with a newline as the format requires. */
  render(): string {
    return `${this.#metrics.flatMap((m) => m.render()).join('\n')}\n`;
  }
}

/** The Content-Type of the text format. */
export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';
