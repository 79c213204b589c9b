// Mocha root hooks: every test cleans up after itself, and the run fails when one did not.
// - Temp files: the run gets a private TMPDIR (os.tmpdir() and every child see it), so what is
//   left in it at the end is this run's own leftovers, whatever other runs on the machine do.
// - Namespaces: those this process made ("nicoff-<pid>-…") must be gone; stale ones of killed
//   runs are swept at the start.
// - Processes: no child of this process may outlive the run.
// Leftovers are removed anyway, then reported as a failed "after all" hook.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { destroyAll, liveNamespaces, sweepStale } from './netns';

const outerTmp = os.tmpdir();
let runTmp: string | undefined;

function children(): Array<{ pid: number; comm: string }> {
  const out: Array<{ pid: number; comm: string }> = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue; // gone meanwhile
    }
    // "pid (comm) state ppid ...": comm may hold spaces and parentheses; the last ")" ends it.
    const close = stat.lastIndexOf(')');
    const [state, ppid] = stat.slice(close + 2).split(' ');
    const comm = stat.slice(stat.indexOf('(') + 1, close);
    // esbuild's service process belongs to tsx (which compiles the tests), not to a test.
    if (Number(ppid) === process.pid && state !== 'Z' && comm !== 'esbuild') out.push({ pid: Number(entry), comm });
  }
  return out;
}

export const mochaHooks = {
  beforeAll(): void {
    sweepStale();
    runTmp = fs.mkdtempSync(path.join(outerTmp, `nicoff-run-${process.pid}-`));
    // Traversable: tests run programs as user nobody from directories under it.
    fs.chmodSync(runTmp, 0o755);
    process.env.TMPDIR = runTmp;
  },
  async afterAll(): Promise<void> {
    const problems: string[] = [];
    // A child that was killed or is exiting may take a moment to be gone.
    for (let i = 0; i < 40 && children().length; i++) await new Promise((r) => setTimeout(r, 50));
    const namespaces = liveNamespaces();
    if (namespaces.length) problems.push(`network namespaces not deleted: ${namespaces.join(', ')}`);
    destroyAll();
    for (const c of children()) {
      problems.push(`process left running: ${c.pid} (${c.comm})`);
      try {
        process.kill(c.pid, 'SIGKILL');
      } catch {
        // exited meanwhile
      }
    }
    if (runTmp) {
      process.env.TMPDIR = outerTmp;
      // tsx keeps its compile cache there (tsx-<uid>), for the CLI children run through it.
      const left = fs.readdirSync(runTmp).filter((f) => !/^tsx-\d+$/.test(f));
      if (left.length) problems.push(`temporary files left in ${runTmp}: ${left.join(', ')}`);
      fs.rmSync(runTmp, { recursive: true, force: true });
    }
    if (problems.length) throw new Error(`tests did not clean up after themselves:\n  ${problems.join('\n  ')}`);
  },
};
