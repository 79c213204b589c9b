// Unified diffs (diff -u shape, 3 lines of context) for --dry-run and for reports.

function splitLines(text: string): string[] {
  if (text === '') return [];
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  else lines[lines.length - 1] += '\n\\ No newline at end of file';
  return lines;
}

type Op = { kind: ' ' | '-' | '+'; line: string; a: number; b: number };

/** The edit script from the longest common subsequence (files here are small). */
function script(a: string[], b: string[]): Op[] {
  const n = a.length;
  const m = b.length;
  const lcs: Uint32Array[] = Array.from({ length: n + 1 }, () => new Uint32Array(m + 1));
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) lcs[i][j] = a[i] === b[j] ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
  }
  const ops: Op[] = [];
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && a[i] === b[j]) ops.push({ kind: ' ', line: a[i++], a: i, b: ++j });
    else if (j < m && (i === n || lcs[i][j + 1] >= lcs[i + 1][j])) ops.push({ kind: '+', line: b[j++], a: i, b: j });
    else ops.push({ kind: '-', line: a[i++], a: i, b: j });
  }
  return ops;
}

function range(start: number, count: number): string {
  // diff -u: an empty range is shown as the line before it, with count 0.
  if (count === 0) return `${start - 1},0`;
  return count === 1 ? `${start}` : `${start},${count}`;
}

/**
 * `diff -u` of two texts (null: the file does not exist), labelled with `path`. Empty when equal.
 * Applying it with patch(1) turns `before` into `after`.
 */
export function unifiedDiff(path: string, before: string | null, after: string | null, context = 3): string {
  if (before === after) return '';
  const a = splitLines(before ?? '');
  const b = splitLines(after ?? '');
  const ops = script(a, b);
  const header = `--- ${before === null ? '/dev/null' : `a${path}`}\n+++ ${after === null ? '/dev/null' : `b${path}`}\n`;
  let out = '';
  let k = 0;
  while (k < ops.length) {
    while (k < ops.length && ops[k].kind === ' ') k++;
    if (k >= ops.length) break;
    const start = Math.max(0, k - context);
    let end = k;
    // Extend the hunk while changes are at most 2*context lines apart.
    for (;;) {
      while (end < ops.length && ops[end].kind !== ' ') end++;
      let gap = end;
      while (gap < ops.length && ops[gap].kind === ' ') gap++;
      if (gap < ops.length && gap - end <= 2 * context) end = gap;
      else {
        end = Math.min(ops.length, end + context);
        break;
      }
    }
    const hunk = ops.slice(start, end);
    // Line numbers are 1-based; an empty side starts after the lines consumed before the hunk.
    const firstA = hunk.find((o) => o.kind !== '+');
    const firstB = hunk.find((o) => o.kind !== '-');
    const aCount = hunk.filter((o) => o.kind !== '+').length;
    const bCount = hunk.filter((o) => o.kind !== '-').length;
    out += `@@ -${range(firstA ? firstA.a : hunk[0].a + 1, aCount)} +${range(firstB ? firstB.b : hunk[0].b + 1, bCount)} @@\n`;
    for (const o of hunk) out += `${o.kind}${o.line}\n`;
    k = end;
  }
  return header + out;
}
