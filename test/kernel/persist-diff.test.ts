// unifiedDiff against the real patch(1): applying the diff to the old text must give the new one.
import assert from 'assert/strict';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { unifiedDiff } from '../../ts/persist/diff';
import { run } from '../helpers/netns';

function patchApplies(before: string | null, after: string | null, diff: string): string | null {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nicoff-diff-'));
  try {
    const file = path.join(dir, 'f');
    // patch -E also removes the parent directories a removal leaves empty (up to the run's TMPDIR).
    fs.writeFileSync(path.join(dir, 'keep'), '');
    if (before !== null) fs.writeFileSync(file, before);
    // -E (remove files left empty) only where the file is meant to go away.
    const r = run('patch', ['--posix', '-s', ...(after === null ? ['-E'] : []), file], { input: diff });
    assert.equal(r.status, 0, `patch failed: ${r.stdout}${r.stderr}\n${diff}`);
    return fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : null;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

// A small deterministic generator, so failures reproduce.
function rng(seed: number): () => number {
  let s = seed;
  return () => ((s = (s * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
}

describe('persist: unified diff (patch(1) as the oracle)', () => {
  it('is empty for equal texts', () => {
    assert.equal(unifiedDiff('/etc/x', 'a\n', 'a\n'), '');
  });

  it('creates and removes whole files (/dev/null sides)', () => {
    const created = unifiedDiff('/etc/x', null, 'a\nb\n');
    assert.match(created, /^--- \/dev\/null\n\+\+\+ b\/etc\/x\n@@ -0,0 \+1,2 @@\n\+a\n\+b\n$/);
    assert.equal(patchApplies(null, 'a\nb\n', created), 'a\nb\n');
    const removed = unifiedDiff('/etc/x', 'a\nb\n', null);
    assert.equal(patchApplies('a\nb\n', null, removed), null);
  });

  it('handles a missing final newline', () => {
    const d = unifiedDiff('/etc/x', 'a\nb', 'a\nb\n');
    assert.match(d, /\\ No newline at end of file/);
    assert.equal(patchApplies('a\nb', 'a\nb\n', d), 'a\nb\n');
  });

  it('round-trips 300 random edits through patch', () => {
    const rand = rng(42);
    for (let n = 0; n < 300; n++) {
      const len = Math.floor(rand() * 30);
      const a = Array.from({ length: len }, () => `line ${Math.floor(rand() * 8)}`);
      const b = a.filter(() => rand() > 0.2).flatMap((l) => (rand() > 0.85 ? [l, `new ${Math.floor(rand() * 100)}`] : [l]));
      if (rand() > 0.7) b.unshift('head');
      const before = a.length ? a.join('\n') + '\n' : '';
      const after = b.length ? b.join('\n') + '\n' : '';
      const d = unifiedDiff('/etc/f', before, after);
      if (before === after) assert.equal(d, '');
      else assert.equal(patchApplies(before, after, d), after, d);
    }
  });
});
