// The Ansible module (examples/ansible/library/nic_offload) and the example playbook that uses it,
// run by the real ansible-playbook against localhost (connection local), acting on a veth inside a
// throwaway namespace and persisting into a temporary root. The package is used as a user installs
// it: `npm pack`, `npm install <tarball>` into an empty project, and the playbook and module are the
// copies that project's node_modules/nic-offload ships. --check changes nothing, the first run
// changes and reports it, the second reports nothing; --diff shows the persist diffs (which patch(1)
// turns into exactly the files the real run writes); bad input fails with the library's message.
import assert from 'assert/strict';
import * as fs from 'fs';
import * as path from 'path';
import { Packed, packAndInstall, removeDir } from '../arm/packed';
import { run, TestNetns } from '../helpers/netns';

interface TaskResult {
  changed?: boolean;
  failed?: boolean;
  msg?: string;
  code?: string;
  suggestions?: string[];
  diff?: Array<{ prepared?: string; before?: string; after?: string; before_header?: string }>;
  live?: { changed: boolean; check: boolean; changes: Array<{ name: string; before: boolean; after: boolean }>; unmet: unknown[] };
  persisted?: { backend: string; changed: boolean; files: Array<{ path: string; action: string }>; settings: Record<string, boolean> };
  features?: Record<string, boolean>;
  warnings?: string[];
}

interface Recap {
  changed: number;
  failures: number;
  /** The module task's result. */
  module: TaskResult;
  stdout: string;
}

const TASK = 'Offload features of';

describe('Ansible: the nic_offload module and the example playbook (real ansible-playbook, packed package)', function () {
  this.timeout(300_000);
  let packed: Packed | undefined;
  let ns: TestNetns;
  let root: string;
  let pkgDir: string;
  let playbookPath: string;
  let tmp: string;

  /** Runs a playbook (default: the shipped one); `env` adds to the environment ansible-playbook (and
   *  so the module) gets. */
  function playbook(vars: Record<string, unknown>, extra: string[] = [], env: NodeJS.ProcessEnv = {}, file = playbookPath): Recap {
    const allVars = { ansible_node_interpreter: process.execPath, ...vars };
    const r = run('ansible-playbook', ['-i', 'localhost,', '-c', 'local', file, '-e', JSON.stringify(allVars), ...extra], {
      env: {
        ...process.env,
        ANSIBLE_STDOUT_CALLBACK: 'json',
        ANSIBLE_NOCOLOR: '1',
        ANSIBLE_PYTHON_INTERPRETER: 'auto_silent',
        ANSIBLE_LOCAL_TEMP: path.join(tmp, 'ansible-local'),
        ANSIBLE_REMOTE_TEMP: path.join(tmp, 'ansible-remote'),
        ...env,
      },
    });
    let out;
    try {
      out = JSON.parse(r.stdout);
    } catch {
      throw new Error(`ansible-playbook printed no JSON (${r.status}):\n${r.stdout}\n${r.stderr}`);
    }
    const stats = out.stats.localhost;
    const task = out.plays[0].tasks.find((t: { task: { name: string } }) => t.task.name.startsWith(TASK));
    return { changed: stats.changed, failures: stats.failures, module: task.hosts.localhost as TaskResult, stdout: r.stdout };
  }

  /** A one-task playbook of the user's own calling the module with `args`, found through
   *  ANSIBLE_LIBRARY (the shipped library directory), as docs/cli.md says. */
  function ownPlay(args: Record<string, unknown>, extra: string[] = []): Recap {
    const file = path.join(tmp, 'own-play.yml');
    fs.writeFileSync(file, JSON.stringify([{ hosts: 'all', gather_facts: false, tasks: [{ name: `${TASK} (own play)`, nic_offload: args }] }]));
    return playbook({}, extra, { ANSIBLE_LIBRARY: path.join(pkgDir, 'examples', 'ansible', 'library') }, file);
  }

  before(() => {
    packed = packAndInstall();
    pkgDir = path.join(packed.app, 'node_modules', 'nic-offload');
    playbookPath = path.join(pkgDir, 'examples', 'ansible', 'nic-offload.yml');
    assert.ok(fs.existsSync(path.join(pkgDir, 'examples', 'ansible', 'library', 'nic_offload')), 'the package ships the module');
    tmp = path.join(packed.dir, 'tmp');
    fs.mkdirSync(tmp);
    ns = TestNetns.create('ansible');
    ns.addVeth('v0', 'v1');
    root = path.join(packed.dir, 'root');
    fs.mkdirSync(path.join(root, 'etc', 'udev', 'rules.d'), { recursive: true }); // a system with udev
  });
  after(() => {
    ns?.destroy();
    removeDir(packed?.dir);
  });

  const base = () => ({
    nic_offload_interface: 'v0',
    nic_offload_netns: ns.name,
    nic_offload_root: root,
    nic_offload_package: packed!.app,
    nic_offload_features: { rx: 'off', tx: false, gro: 'on' },
  });
  const rules = () => fs.readdirSync(path.join(root, 'etc', 'udev', 'rules.d'));
  const recorded = () => {
    const state = path.join(root, 'var', 'lib', 'nic-offload', 'persisted.json');
    return fs.existsSync(state) ? fs.readFileSync(state, 'utf8') : '';
  };
  let checkDiffs: string[] = [];

  it('--check --diff: says it would change, shows the diffs, changes nothing', () => {
    const before = ns.ethtool('-k', 'v0').stdout;
    const r = playbook(base(), ['--check', '--diff']);
    assert.equal(r.failures, 0, r.stdout);
    assert.equal(r.module.changed, true);
    assert.equal(r.module.live!.check, true);
    assert.deepEqual(r.module.features, { rx: false, tx: false, gro: true });
    assert.deepEqual(r.module.persisted!.files.map((f) => [f.path, f.action]), [
      ['/etc/udev/rules.d/90-nic-offload-v0.rules', 'created'],
      ['/var/lib/nic-offload/persisted.json', 'created'],
    ]);
    const diffs = r.module.diff!;
    const live = diffs.find((d) => d.before_header === 'v0 features (live)')!;
    assert.match(live.before!, /^rx-checksum: on$/m);
    assert.match(live.after!, /^rx-checksum: off$/m);
    assert.match(live.after!, /^rx-gro: on$/m);
    checkDiffs = diffs.filter((d) => d.prepared).map((d) => d.prepared!);
    assert.equal(checkDiffs.length, 2);
    assert.match(checkDiffs[0], /^\+\+\+ b\/etc\/udev\/rules\.d\/90-nic-offload-v0\.rules$/m);
    // The rule runs the installed package's CLI: the module used the packed package, not this checkout.
    assert.match(checkDiffs[0], new RegExp(`RUN\\+="${process.execPath.replace(/[.+]/g, '\\$&')} ${path.join(fs.realpathSync(pkgDir), 'dist', 'cli', 'main.js').replace(/[.+]/g, '\\$&')} reapply v0"`));
    assert.equal(ns.ethtool('-k', 'v0').stdout, before, 'the device is as it was');
    assert.deepEqual(rules(), []);
    assert.equal(recorded(), '');
  });

  it('apply: changed, the device is as asked (ethtool), and the files are what the --check diff said (patch -p1)', () => {
    const r = playbook(base());
    assert.equal(r.failures, 0, r.stdout);
    assert.equal(r.changed, 1, 'the module task changed (the debug task never does)');
    assert.equal(r.module.changed, true);
    assert.equal(r.module.live!.check, false);
    assert.ok(r.module.live!.changes.some((c) => c.name === 'rx-checksum' && c.before && !c.after));
    assert.equal(r.module.persisted!.backend, 'udev');
    const k = ns.ethtool('-k', 'v0').stdout;
    assert.match(k, /^rx-checksumming: off$/m);
    assert.match(k, /^tx-checksumming: off$/m);
    assert.match(k, /^generic-receive-offload: on$/m);
    assert.deepEqual(rules(), ['90-nic-offload-v0.rules']);
    assert.match(recorded(), /"rx": false/);
    // The diffs --check showed, applied to an empty tree, give byte for byte what the run wrote.
    const twin = path.join(tmp, 'twin');
    fs.mkdirSync(path.join(twin, 'etc', 'udev', 'rules.d'), { recursive: true });
    const patched = run('patch', ['-p1', '-s', '-d', twin], { input: checkDiffs.join('') });
    assert.equal(patched.status, 0, patched.stdout + patched.stderr);
    for (const f of ['etc/udev/rules.d/90-nic-offload-v0.rules', 'var/lib/nic-offload/persisted.json']) {
      assert.equal(fs.readFileSync(path.join(twin, f), 'utf8'), fs.readFileSync(path.join(root, f), 'utf8'), f);
    }
  });

  it('re-apply: no change reported, nothing rewritten; --check --diff agrees and shows no diff', () => {
    const state = recorded();
    const r = playbook(base(), ['--diff']);
    assert.equal(r.failures, 0, r.stdout);
    assert.equal(r.changed, 0, r.stdout);
    assert.equal(r.module.changed, false);
    assert.equal(r.module.diff, undefined);
    assert.equal(recorded(), state);
    const c = playbook(base(), ['--check', '--diff']);
    assert.equal(c.changed, 0);
    assert.equal(c.module.diff, undefined);
  });

  it('NODE_PATH finds the package too (no package option)', () => {
    const vars: Record<string, unknown> = { ...base(), nic_offload_package: '' };
    const r = playbook(vars, ['--check'], { NODE_PATH: path.join(packed!.app, 'node_modules') });
    assert.equal(r.failures, 0, r.stdout);
    assert.equal(r.module.changed, false, 'already in effect');
  });

  it('a bad feature name fails with the library\'s message and suggestion, and nothing changes', () => {
    const before = ns.ethtool('-k', 'v0').stdout;
    const state = recorded();
    const r = playbook({ ...base(), nic_offload_features: { 'rx-chekcsum': 'on' } });
    assert.equal(r.failures, 1, r.stdout);
    assert.equal(r.module.failed, true);
    assert.equal(r.module.code, 'ERR_UNKNOWN_FEATURE');
    assert.match(r.module.msg!, /rx-chekcsum/);
    assert.ok(r.module.suggestions!.includes('rx-checksum'), JSON.stringify(r.module.suggestions));
    assert.equal(ns.ethtool('-k', 'v0').stdout, before);
    assert.equal(recorded(), state);
  });

  it('the kernel\'s answer in msg: no such device (ENODEV); nothing takes effect ("Could not change")', () => {
    const gone = playbook({ ...base(), nic_offload_interface: 'nope0' });
    assert.equal(gone.failures, 1, gone.stdout);
    assert.equal(gone.module.code, 'ENODEV');
    assert.match(gone.module.msg!, /nope0/);
    const fixed = playbook({ ...base(), nic_offload_interface: 'lo', nic_offload_persist: false, nic_offload_features: { highdma: 'off' } });
    assert.equal(fixed.failures, 1, fixed.stdout);
    assert.match(fixed.module.msg!, /^Could not change any device features of lo: highdma is (fixed|unsupported)$/);
  });

  it('argument_spec-style validation: unknown options, bad values, bad types, a package that is not there', () => {
    const bad = (vars: Record<string, unknown>): string => {
      const r = playbook({ ...base(), ...vars });
      assert.equal(r.failures, 1, r.stdout);
      return r.module.msg!;
    };
    assert.match(bad({ nic_offload_features: { rx: 'maybe' } }), /^features\.rx: "maybe" is not a boolean/);
    assert.match(bad({ nic_offload_backend: 'yaml' }), /^value of backend must be one of: auto, ifupdown, systemd-link, networkmanager, udev, got: yaml/);
    assert.match(bad({ nic_offload_persist: 'sometimes' }), /^argument 'persist': "sometimes" is not a boolean/);
    assert.match(bad({ nic_offload_features: {} }), /names no feature/);
    const empty = path.join(tmp, 'empty');
    fs.mkdirSync(empty, { recursive: true });
    assert.match(bad({ nic_offload_package: empty }), new RegExp(`^package: no nic-offload package in ${empty}`));
    // An option the module does not know, in a play of one's own.
    const own = ownPlay({ interface: 'v0', netns: ns.name, features: { rx: 'off' }, colour: 'blue', package: packed!.app });
    assert.equal(own.failures, 1, own.stdout);
    assert.equal(
      own.module.msg,
      'Unsupported parameters for (nic_offload) module: colour. Supported parameters include: apply, backend, features, iface, interface, name, netns, package, persist, root, state.',
    );
    assert.match(ownPlay({ features: { rx: 'off' }, package: packed!.app }).module.msg!, /^missing required arguments: interface/);
    assert.match(ownPlay({ iface: 'v0', netns: ns.name, package: packed!.app }).module.msg!, /^state is present but all of the following are missing: features/);
  });

  it('state=absent forgets what is recorded (--check first), the device keeps its settings; again: no change', () => {
    const args = { ...base(), nic_offload_state: 'absent' };
    const check = playbook(args, ['--check', '--diff']);
    assert.equal(check.failures, 0, check.stdout);
    assert.equal(check.module.changed, true);
    assert.deepEqual(check.module.persisted!.files.map((f) => f.action), ['removed', 'removed']);
    assert.ok(check.module.diff!.some((d) => /^\+\+\+ \/dev\/null$/m.test(d.prepared ?? '')));
    assert.deepEqual(rules(), ['90-nic-offload-v0.rules'], '--check removed nothing');
    const r = playbook(args);
    assert.equal(r.failures, 0, r.stdout);
    assert.equal(r.module.changed, true);
    assert.deepEqual(rules(), []);
    assert.equal(recorded(), '');
    assert.match(ns.ethtool('-k', 'v0').stdout, /^rx-checksumming: off$/m, 'the device keeps its settings');
    assert.equal(playbook(args).module.changed, false);
  });
});
