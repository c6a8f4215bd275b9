/** Upper bounds (seconds) of the latency histogram buckets. */
export const LATENCY_BUCKETS: readonly number[] = [
  0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300,
];

/** Label values; numbers (status codes) are rendered as text. */
export type LabelValues = readonly (string | number)[];

interface SeriesTree<T> {
  readonly root: Map<string | number, unknown>;
  readonly cells: T[];
}

/**
 * The cell of these label values, found through one map per label so that no key string is built; undefined
 * when the combination has not been seen.
 */
function findCell<T>(tree: SeriesTree<T>, values: LabelValues): T | undefined {
  let node: Map<string | number, unknown> | undefined = tree.root;
  const last = values.length - 1;
  for (let index = 0; index < last && node !== undefined; index += 1) {
    node = node.get(values[index] ?? '') as Map<string | number, unknown> | undefined;
  }
  return node?.get(values[last] ?? '') as T | undefined;
}

/** Stores the cell of a new label combination. */
function addCell<T>(tree: SeriesTree<T>, values: LabelValues, cell: T): T {
  let node = tree.root;
  const last = values.length - 1;
  for (let index = 0; index < last; index += 1) {
    const value = values[index] ?? '';
    let next = node.get(value) as Map<string | number, unknown> | undefined;
    if (next === undefined) {
      next = new Map();
      node.set(value, next);
    }
    node = next;
  }
  node.set(values[last] ?? '', cell);
  tree.cells.push(cell);
  return cell;
}

/** One histogram series: its rendered labels, bucket counts, sum and count. */
export interface HistogramCells {
  readonly labels: string;
  readonly buckets: Float64Array;
  sum: number;
  count: number;
}

/** One counter series: its rendered labels and value. */
export interface CounterCell {
  readonly labels: string;
  value: number;
}

/**
 * A counter per label combination, rendered in the Prometheus text format. Kept outside prom-client because
 * its per-call label hashing costs more than the rest of a proxied request's bookkeeping together.
 */
export class LabelledCounter {
  private readonly series: SeriesTree<CounterCell> = { root: new Map(), cells: [] };

  constructor(
    private readonly name: string,
    private readonly help: string,
    private readonly labelNames: readonly string[],
  ) {}

  /**
   * Adds one to the series of these label values (in `labelNames` order). The array is not kept: callers may
   * reuse it.
   */
  inc(values: LabelValues): void {
    this.cell(values).value += 1;
  }

  /** The series of these label values, created at zero when new; callers on a hot path may keep it. */
  cell(values: LabelValues): CounterCell {
    return (
      findCell(this.series, values) ??
      addCell(this.series, values, { labels: renderLabels(this.labelNames, values), value: 0 })
    );
  }

  /** The series in the Prometheus text exposition format. */
  render(): string {
    let text = `# HELP ${this.name} ${this.help}\n# TYPE ${this.name} counter\n`;
    for (const cell of this.series.cells) text += `${this.name}{${cell.labels}} ${cell.value}\n`;
    return text;
  }
}

/** A histogram per label combination with fixed buckets, rendered in the Prometheus text format. */
export class LabelledHistogram {
  private readonly series: SeriesTree<HistogramCells> = { root: new Map(), cells: [] };

  constructor(
    private readonly name: string,
    private readonly help: string,
    private readonly labelNames: readonly string[],
    private readonly bounds: readonly number[] = LATENCY_BUCKETS,
  ) {}

  /** Records one observation for the series of these label values (the array is not kept). */
  observe(values: LabelValues, value: number): void {
    this.record(this.cell(values), value);
  }

  /** The series of these label values, created empty when new; callers on a hot path may keep it. */
  cell(values: LabelValues): HistogramCells {
    return (
      findCell(this.series, values) ??
      addCell(this.series, values, {
        labels: renderLabels(this.labelNames, values),
        buckets: new Float64Array(this.bounds.length),
        sum: 0,
        count: 0,
      })
    );
  }

  /** Records one observation in a series obtained from {@link cell}. */
  record(cell: HistogramCells, value: number): void {
    let index = 0;
    while (index < this.bounds.length && value > (this.bounds[index] ?? Infinity)) index += 1;
    if (index < this.bounds.length) cell.buckets[index] = (cell.buckets[index] ?? 0) + 1;
    cell.sum += value;
    cell.count += 1;
  }

  /** The series in the Prometheus text exposition format (cumulative buckets). */
  render(): string {
    let text = `# HELP ${this.name} ${this.help}\n# TYPE ${this.name} histogram\n`;
    for (const cell of this.series.cells) {
      let cumulative = 0;
      for (const [index, bound] of this.bounds.entries()) {
        cumulative += cell.buckets[index] ?? 0;
        text += `${this.name}_bucket{${cell.labels},le="${bound}"} ${cumulative}\n`;
      }
      text += `${this.name}_bucket{${cell.labels},le="+Inf"} ${cell.count}\n`;
      text += `${this.name}_sum{${cell.labels}} ${cell.sum}\n`;
      text += `${this.name}_count{${cell.labels}} ${cell.count}\n`;
    }
    return text;
  }
}

function renderLabels(names: readonly string[], values: LabelValues): string {
  return names.map((name, index) => `${name}="${escapeLabelValue(String(values[index] ?? ''))}"`).join(',');
}

/** Escapes a label value as the exposition format requires (backslash, double quote, line feed). */
function escapeLabelValue(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}
