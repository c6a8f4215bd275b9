/** Most edits for a name to count as a likely typo of another. */
const MAX_DISTANCE = 3;

/** The known name closest to `name` (case-insensitive edit distance, at most 3 and under half its length). */
export function closestName(name: string, known: Iterable<string>): string | undefined {
  const wanted = name.toUpperCase();
  let best: string | undefined;
  let bestDistance = Math.min(MAX_DISTANCE, Math.floor(wanted.length / 2)) + 1;
  for (const candidate of known) {
    const distance = editDistance(wanted, candidate.toUpperCase());
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

/** Levenshtein distance: insertions, deletions and substitutions. */
export function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, at) => at);
  for (let i = 1; i <= a.length; i += 1) {
    const current = [i];
    for (let j = 1; j <= b.length; j += 1) {
      const substitution = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}
