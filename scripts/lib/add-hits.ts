import type { FileCoverageData, Location } from 'istanbul-lib-coverage';

/** The items of one file's coverage of `source` paired with those of `target`, by key. */
interface Pairing {
  readonly paired: readonly (readonly [from: string, to: string])[];
  readonly unpaired: readonly string[];
}

/** An item's key and start column. */
interface Start {
  readonly key: string;
  readonly column: number;
}

/**
 * Adds the hits of `source` to `target`: two Istanbul records of one source file made from different builds of it
 * (vitest's own transform of src/ and tsc's dist/). Their locations agree on lines but not always on columns, so
 * an item is paired with one of `target` on its start line: in order when the line holds as many items on both
 * sides, else the nearest by start column. `target` keeps its items, so the totals stay those of vitest's report.
 * Returns how many items of `source` that were run found no counterpart, and so were left out.
 */
export function addHits(target: FileCoverageData, source: FileCoverageData): number {
  const statements = pair(target.statementMap, source.statementMap, (range) => range.start);
  for (const [from, to] of statements.paired) target.s[to] = (target.s[to] ?? 0) + (source.s[from] ?? 0);
  const byDecl = pair(target.fnMap, source.fnMap, (fn) => fn.decl.start);
  // esbuild at times maps an arrow function's parameters to the token before them; its body still pairs.
  const byBody = pair(
    withoutKeys(target.fnMap, new Set(byDecl.paired.map(([, to]) => to))),
    withKeys(source.fnMap, byDecl.unpaired),
    (fn) => fn.loc.start,
  );
  const functions = { paired: [...byDecl.paired, ...byBody.paired], unpaired: byBody.unpaired };
  for (const [from, to] of functions.paired) target.f[to] = (target.f[to] ?? 0) + (source.f[from] ?? 0);
  const branches = pair(
    target.branchMap,
    source.branchMap,
    (branch) => branch.locations[0]?.start ?? branch.loc.start,
  );
  const unpairedBranches = [...branches.unpaired];
  for (const [from, to] of branches.paired) {
    const hits = target.b[to] ?? [];
    const added = source.b[from] ?? [];
    if (hits.length === added.length) target.b[to] = hits.map((count, i) => count + (added[i] ?? 0));
    else unpairedBranches.push(from);
  }
  return (
    statements.unpaired.filter((key) => (source.s[key] ?? 0) > 0).length +
    functions.unpaired.filter((key) => (source.f[key] ?? 0) > 0).length +
    unpairedBranches.filter((key) => source.b[key]?.some((count) => count > 0)).length
  );
}

function pair<T>(
  target: Readonly<Record<string, T>>,
  source: Readonly<Record<string, T>>,
  start: (item: T) => Location,
): Pairing {
  const targetLines = byLine(target, start);
  const paired: [string, string][] = [];
  const unpaired: string[] = [];
  for (const [line, items] of byLine(source, start)) {
    const candidates = targetLines.get(line) ?? [];
    items.forEach((item, i) => {
      const to = candidates.length === items.length ? candidates[i] : nearest(candidates, item.column);
      if (to === undefined) unpaired.push(item.key);
      else paired.push([item.key, to.key]);
    });
  }
  return { paired, unpaired };
}

/** Items by start line, each line's in order of start column. */
function byLine<T>(items: Readonly<Record<string, T>>, start: (item: T) => Location): Map<number, Start[]> {
  const lines = new Map<number, Start[]>();
  for (const [key, item] of Object.entries(items)) {
    const { line, column } = start(item);
    lines.set(line, [...(lines.get(line) ?? []), { key, column }]);
  }
  for (const starts of lines.values()) starts.sort((a, b) => a.column - b.column);
  return lines;
}

function nearest(candidates: readonly Start[], column: number): Start | undefined {
  let best: Start | undefined;
  for (const candidate of candidates) {
    if (best === undefined || Math.abs(candidate.column - column) < Math.abs(best.column - column))
      best = candidate;
  }
  return best;
}

function withKeys<T>(record: Readonly<Record<string, T>>, keys: readonly string[]): Record<string, T> {
  return Object.fromEntries(keys.flatMap((key) => (key in record ? [[key, record[key] as T]] : [])));
}

function withoutKeys<T>(record: Readonly<Record<string, T>>, keys: ReadonlySet<string>): Record<string, T> {
  return Object.fromEntries(Object.entries(record).filter(([key]) => !keys.has(key)));
}
