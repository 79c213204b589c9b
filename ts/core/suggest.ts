// "Did you mean": the closest real names to an unknown one.

function distance(a: string, b: string): number {
  const prev = new Array<number>(b.length + 1);
  for (let j = 0; j <= b.length; j++) prev[j] = j;
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0];
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = prev[j];
      prev[j] = Math.min(prev[j] + 1, prev[j - 1] + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = tmp;
    }
  }
  return prev[b.length];
}

/** Up to `max` candidates close to `name`: small edit distance, or containing it. */
export function closestNames(name: string, candidates: readonly string[], max = 3): string[] {
  const lower = name.toLowerCase();
  const scored = candidates
    .filter((c) => c)
    .map((c) => {
      let d = distance(lower, c);
      if (lower.length >= 2 && c.includes(lower)) d = Math.min(d, 1 + (c.length - lower.length) / 10);
      return { c, d };
    })
    .filter(({ c, d }) => d <= Math.max(2, Math.floor(Math.max(lower.length, c.length) / 3)))
    .sort((x, y) => x.d - y.d || x.c.localeCompare(y.c));
  return [...new Set(scored.map((s) => s.c))].slice(0, max);
}
