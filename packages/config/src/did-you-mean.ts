/**
 * The known name closest to an unknown one, when it is close enough to be a typo
 * (same letters in another case, or at most 2 edits for names longer than 3).
 */
export function suggestName(unknown: string, known: readonly string[]): string | undefined {
  const lower = unknown.toLowerCase();
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const candidate of known) {
    if (candidate.toLowerCase() === lower) return candidate;
    const distance = editDistance(lower, candidate.toLowerCase());
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  const allowed = unknown.length <= 3 ? 1 : 2;
  return bestDistance <= allowed ? best : undefined;
}

/** Levenshtein distance; the names compared are short, so the O(n·m) table is fine. */
function editDistance(a: string, b: string): number {
  // Every index read below is within the rows built here; `?? 0` only satisfies the index type.
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i += 1) {
    const current = [i];
    for (let j = 1; j <= b.length; j += 1) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      current.push(Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, (previous[j - 1] ?? 0) + cost));
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}
