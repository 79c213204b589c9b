// The example playbook (examples/ansible/nic-offload.yml) run by the real ansible-playbook
// against localhost (connection local), acting inside a throwaway namespace and persisting into
// a temporary root: the first run reports a change and makes it, the second reports none;
// --check mode changes nothing.
import assert from 'assert/strict';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { binArgv, ROOT } from '../helpers/cli-run';
import { run, TestNetns } from '../helpers/netns';

const PLAYBOOK = path.join(ROOT, 'examples', 'ansible', 'nic-offload.yml');

interface Recap {
  changed: number;
  failures: number;
  /** task name -> changed */
  tasks: Record<string, boolean | undefined>;
  stdout: string;
}

function playbook(vars: Record<string, unknown>, extra: string[] = []): Recap {
  const r = run('ansible-playbook', ['-i', 'localhost,', '-c', 'local', PLAYBOOK, '-e', JSON.stringify(vars), ...extra], {
    env: { ...process.env, ANSIBLE_STDOUT_CALLBACK: 'json', ANSIBLE_NOCOLOR: '1', ANSIBLE_PYTHON_INTERPRETER: 'auto_silent' },
  });
  const out = JSON.parse(r.stdout);
  const stats = out.stats.localhost;
  const tasks: Record<string, boolean | undefined> = {};
  for (const t of out.plays[0].tasks) tasks[t.task.name] = t.hosts.localhost.changed;
  return { changed: stats.changed, failures: stats.failures, tasks, stdout: r.stdout };
}

describe('cli: the Ansible example playbook (real ansible-playbook)', function () {
  this.timeout(180000);
  let ns: TestNetns;
  let root: string;
  const nicOffload = binArgv().join(' ');
  before(() => {
    ns = TestNetns.create('ansible');
    ns.addVeth('v0', 'v1');
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'nic-offload-ansible-'));
    fs.mkdirSync(path.join(root, 'etc', 'udev', 'rules.d'), { recursive: true }); // a system with udev
  });
  after(() => {
    ns?.destroy();
    if (root) fs.rmSync(root, { recursive: true, force: true });
  });

  const base = () => ({
    nic_offload: nicOffload,
    nic_offload_interface: 'v0',
    nic_offload_netns: ns.name,
    nic_offload_root: root,
    nic_offload_features: { rx: 'off', tx: false, gro: 'on' },
  });
  const files = () => (fs.readdirSync(path.join(root, 'etc', 'udev', 'rules.d')) as string[]);
  const recorded = () => {
    const state = path.join(root, 'var', 'lib', 'nic-offload', 'persisted.json');
    return fs.existsSync(state) ? fs.readFileSync(state, 'utf8') : '';
  };

  it('--check mode: reports the change it would make, changes nothing', () => {
    const before = ns.ethtool('-k', 'v0').stdout;
    const r = playbook(base(), ['--check']);
    assert.equal(r.failures, 0, r.stdout);
    assert.equal(r.tasks['Set offload features on v0'], true);
    assert.equal(r.tasks['Persist offload features of v0'], true);
    assert.equal(ns.ethtool('-k', 'v0').stdout, before);
    assert.deepEqual(files(), []);
    assert.equal(recorded(), '');
  });

  it('first run: changed, and the device is as asked', () => {
    const r = playbook(base());
    assert.equal(r.failures, 0, r.stdout);
    assert.equal(r.tasks['Set offload features on v0'], true);
    assert.equal(r.tasks['Persist offload features of v0'], true);
    assert.deepEqual(files(), ['90-nic-offload-v0.rules']);
    assert.match(recorded(), /"rx": false/);
    const k = ns.ethtool('-k', 'v0').stdout;
    assert.match(k, /^rx-checksumming: off$/m);
    assert.match(k, /^tx-checksumming: off$/m);
    assert.match(k, /^generic-receive-offload: on$/m);
  });

  it('second run: no change reported; --check mode agrees', () => {
    const state = recorded();
    const r = playbook(base());
    assert.equal(r.failures, 0, r.stdout);
    assert.equal(r.changed, 0, r.stdout);
    assert.equal(recorded(), state);
    assert.equal(playbook(base(), ['--check']).changed, 0);
  });

  it('a request that cannot take effect fails the task (exit 1, "Could not change")', () => {
    const r = playbook({ ...base(), nic_offload_interface: 'lo', nic_offload_persist: false, nic_offload_features: { highdma: 'off' } });
    assert.equal(r.failures, 1, r.stdout);
  });
});
