/**
 * The few Prometheus metric kinds the cloud needs, written in the text exposition format 0.0.4
 * (https://prometheus.io/docs/instrumenting/exposition_formats/). Why not prom-client: counters, one
 * gauge and histograms with fixed labels are ~100 lines, and the cloud's process metrics are read
 * at scrape time (cloud-metrics.ts); nothing else of the library would be used.
 */

export type Labels = Record<string, string>;

function escapeLabel(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

function formatLabels(labels: Labels, extra: Labels = {}): string {
  const entries = Object.entries({ ...labels, ...extra });
  if (entries.length === 0) return '';
  return `{${entries.map(([key, value]) => `${key}="${escapeLabel(value)}"`).join(',')}}`;
}

function formatNumber(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return '+Inf';
  if (value === -Infinity) return '-Inf';
  return String(value);
}

const keyOf = (labels: Labels) => JSON.stringify(Object.entries(labels).sort(([a], [b]) => a.localeCompare(b)));

interface Metric {
  render(): string;
}

abstract class Family<T> implements Metric {
  protected readonly series = new Map<string, { labels: Labels; value: T }>();
  constructor(
    readonly name: string,
    readonly help: string,
    private readonly type: 'counter' | 'gauge' | 'histogram',
  ) {}

  protected entry(labels: Labels, create: () => T): { labels: Labels; value: T } {
    const key = keyOf(labels);
    let found = this.series.get(key);
    if (!found) {
      found = { labels, value: create() };
      this.series.set(key, found);
    }
    return found;
  }

  protected abstract lines(labels: Labels, value: T): string[];

  render(): string {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} ${this.type}`];
    for (const { labels, value } of this.series.values()) lines.push(...this.lines(labels, value));
    return lines.join('\n');
  }
}

export class Counter extends Family<number> {
  constructor(name: string, help: string) {
    super(name, help, 'counter');
  }
  inc(labels: Labels = {}, by = 1): void {
    this.entry(labels, () => 0).value += by;
  }
  get(labels: Labels = {}): number {
    return this.series.get(keyOf(labels))?.value ?? 0;
  }
  protected lines(labels: Labels, value: number): string[] {
    return [`${this.name}${formatLabels(labels)} ${formatNumber(value)}`];
  }
}

export class Gauge extends Family<number> {
  constructor(name: string, help: string) {
    super(name, help, 'gauge');
  }
  set(value: number, labels: Labels = {}): void {
    this.entry(labels, () => 0).value = value;
  }
  protected lines(labels: Labels, value: number): string[] {
    return [`${this.name}${formatLabels(labels)} ${formatNumber(value)}`];
  }
}

interface HistogramState {
  counts: number[];
  sum: number;
  count: number;
}

export class Histogram extends Family<HistogramState> {
  constructor(
    name: string,
    help: string,
    private readonly buckets: readonly number[],
  ) {
    super(name, help, 'histogram');
  }
  observe(value: number, labels: Labels = {}): void {
    const state = this.entry(labels, () => ({ counts: this.buckets.map(() => 0), sum: 0, count: 0 })).value;
    this.buckets.forEach((bound, index) => {
      if (value <= bound) state.counts[index] = (state.counts[index] ?? 0) + 1;
    });
    state.sum += value;
    state.count += 1;
  }
  protected lines(labels: Labels, state: HistogramState): string[] {
    return [
      ...this.buckets.map(
        (bound, index) =>
          `${this.name}_bucket${formatLabels(labels, { le: formatNumber(bound) })} ${state.counts[index] ?? 0}`,
      ),
      `${this.name}_bucket${formatLabels(labels, { le: '+Inf' })} ${state.count}`,
      `${this.name}_sum${formatLabels(labels)} ${formatNumber(state.sum)}`,
      `${this.name}_count${formatLabels(labels)} ${state.count}`,
    ];
  }
}

/** Render metrics in order, one family after another, ending with a newline. */
export function renderMetrics(metrics: readonly Metric[]): string {
  return `${metrics.map((metric) => metric.render()).join('\n')}\n`;
}
