// `nic-offload completion bash` in a real bash: the script is sourced and its function run as
// bash runs it on TAB (COMP_WORDS, COMP_CWORD), inside a namespace, so the interfaces and feature
// names offered are the namespace's, read from the running kernel.
import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as api from '../../ts/index';
import { TestNetns } from '../helpers/netns';

const REPO = path.join(__dirname, '..', '..');

describe('cli: bash completion (real bash, namespace)', function () {
  this.timeout(60000);
  let ns: TestNetns;
  let bin: string;

  before(() => {
    ns = TestNetns.create('comp');
    ns.addVeth('eth0', 'peer0');
    ns.addBridge('br0');
    bin = fs.mkdtempSync(path.join(os.tmpdir(), 'nicoff-comp-'));
    fs.writeFileSync(path.join(bin, 'nic-offload'), `#!/bin/sh\nexec ${process.execPath} ${REPO}/dist/cli/main.js "$@"\n`, { mode: 0o755 });
  });
  after(() => {
    api.releaseSockets();
    ns?.destroy();
    fs.rmSync(bin, { recursive: true, force: true });
  });

  /** What bash offers for the words (the last one is the word being completed). */
  function complete(...words: string[]): string[] {
    const script = [
      'source <(nic-offload completion bash)',
      `COMP_WORDS=(${words.map((w) => `'${w}'`).join(' ')})`,
      `COMP_CWORD=${words.length - 1}`,
      '_nic_offload',
      'printf "%s\\n" "${COMPREPLY[@]}"',
    ].join('\n');
    const r = ns.exec('bash', ['-c', script], { env: { ...process.env, PATH: `${bin}:${process.env.PATH}` } });
    assert.equal(r.status, 0, r.stderr);
    return r.stdout.split('\n').filter(Boolean).sort();
  }

  it('commands, then interfaces of the namespace', () => {
    assert.deepEqual(complete('nic-offload', 'pe'), ['persist', 'persisted']);
    assert.deepEqual(complete('nic-offload', 'show', ''), ['br0', 'eth0', 'lo', 'peer0']);
    assert.deepEqual(complete('nic-offload', '-k', 'e'), ['eth0']);
  });

  it('feature names of the device from the kernel (and legacy names), then on/off', () => {
    const names = api.getFeatureNames('eth0', { netns: ns.name }).filter((n) => n.startsWith('rx-g'));
    assert.ok(names.length > 0);
    assert.deepEqual(complete('nic-offload', 'set', 'eth0', 'rx-g'), [...names].sort());
    assert.deepEqual(complete('nic-offload', 'set', 'eth0', 'tso', ''), ['off', 'on']);
    assert.ok(complete('nic-offload', 'set', 'eth0', 'tso', 'off', 'g').includes('gro'));
  });

  it('options from the command help; --netns names and --backend values', () => {
    assert.deepEqual(complete('nic-offload', 'set', 'eth0', '--ch'), ['--check']);
    assert.deepEqual(complete('nic-offload', 'persist', 'eth0', 'rx', 'off', '--backend', 'sys'), ['systemd-link']);
    assert.ok(complete('nic-offload', 'show', '--netns', 'nicoff-').includes(ns.name));
  });
});
