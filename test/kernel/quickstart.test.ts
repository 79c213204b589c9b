// The README's first quick-start command, verbatim, in a fresh clone of this repository (as it
// is committed: HEAD), run as root without sudo with the Node already on this machine, inside a
// throwaway namespace: it installs and then shows every interface exactly as ethtool -k does.
// (The second command, scripts/test.sh, is what CI itself runs.)
import { strict as assert } from 'assert';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { must, TestNetns } from '../helpers/netns';

const REPO = path.join(__dirname, '..', '..');

/** The quick start's first command, read from the README itself. */
function quickStartCommand(): string {
  const readme = fs.readFileSync(path.join(REPO, 'README.md'), 'utf8');
  const block = /## Quick start[\s\S]*?```sh\n([\s\S]*?)```/.exec(readme)![1];
  const cmds = block.split('\n').filter((l) => l.trim() && !l.startsWith('#'));
  assert.equal(cmds.length, 2, 'the quick start is two commands');
  return cmds[0];
}

describe('README quick start: command 1 in a fresh clone (root, Node already installed)', function () {
  this.timeout(600000);
  let ns: TestNetns;
  let dir: string;

  before(() => {
    ns = TestNetns.create('qs');
    ns.addVeth('eth0', 'peer0');
    ns.addBridge('br0');
    ns.up('eth0', 'peer0', 'br0');
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nicoff-quickstart-'));
    must('git', ['clone', '-q', REPO, path.join(dir, 'nic-offload')]);
  });

  after(() => {
    ns?.destroy();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('installs, then prints what ethtool -k prints for every interface', () => {
    const cmd = quickStartCommand();
    assert.match(cmd, /^bash scripts\/install\.sh && npx nic-offload show$/);
    const r = spawnSync('ip', ['netns', 'exec', ns.name, 'bash', '-c', cmd], { cwd: path.join(dir, 'nic-offload'), encoding: 'utf8' });
    assert.equal(r.status, 0, r.stdout + r.stderr);
    // In ifindex order, as show lists them.
    const names = ns.ip('-o', 'link', 'show').trim().split('\n').map((l) => l.split(': ')[1].split('@')[0]);
    const expected = names.map((d) => `\n${ns.ethtool('-k', d).stdout}`).join('');
    // npm prints its own lines before show's output; show's output ends the stream.
    assert.ok(r.stdout.endsWith(expected), `the end of the output is ethtool -k of every interface:\n${r.stdout.slice(-2000)}`);
  });
});
