// `nic-offload set` against the real `ethtool -K` (netlink). Twin namespaces hold identical
// devices; ethtool -K drives one, nic-offload set the other, through the same sequence of
// requests. After every step stdout, stderr and exit status must be byte-identical and both
// devices must be in the same state (as ethtool -k prints it).
import assert from 'assert/strict';
import * as api from '../../ts/index';
import { bin, cli } from '../helpers/cli-run';
import { parseEthtoolSet } from '../helpers/ethtool-oracle';
import { DEVICES, makeDevices } from '../helpers/devices';
import { run, TestNetns } from '../helpers/netns';

// Kernel names, legacy short and long names, dependency chains, fixed and unsupported bits,
// repeated names, a legacy name that matches nothing (ufo). (An empty request is where we differ
// from ethtool on purpose: a usage error, tested below.)
const SEQUENCE: string[][] = [
  ['tx', 'off'],
  ['tx', 'off'],
  ['sg', 'off'],
  ['tso', 'on'],
  ['tx', 'on'],
  ['sg', 'on'],
  ['tso', 'off', 'gso', 'off'],
  ['tcp-segmentation-offload', 'on', 'generic-segmentation-offload', 'on'],
  ['tso', 'on', 'tx-tcp6-segmentation', 'off', 'tso', 'on'],
  ['tx-tcp6-segmentation', 'off', 'tso', 'on', 'tx-tcp6-segmentation', 'off'],
  ['rx', 'off', 'rx', 'on', 'rx', 'off'],
  ['rx-checksumming', 'on'],
  ['gro', 'off', 'lro', 'on'],
  ['generic-receive-offload', 'on'],
  ['rx-gro-hw', 'on'],
  ['ufo', 'off'],
  ['highdma', 'off'],
  ['tx-checksum-ip-generic', 'off'],
  ['scatter-gather', 'off', 'tx-scatter-gather', 'on'],
  ['rxvlan', 'off', 'txvlan', 'off', 'ntuple', 'on', 'rxhash', 'on'],
  ['tx-udp-segmentation', 'on', 'rx-gro-list', 'on', 'rx-udp-gro-forwarding', 'on'],
  ['tx-nocache-copy', 'on', 'loopback', 'on'],
  ['tx', 'on', 'sg', 'on', 'tso', 'on', 'gso', 'on', 'gro', 'on', 'rx', 'on'],
  ['tx-nocache-copy', 'off', 'loopback', 'off', 'rx-gro-list', 'off', 'rx-udp-gro-forwarding', 'off'],
];

describe('cli: set is ethtool -K (real kernel, real ethtool)', function () {
  this.timeout(120000);
  let theirs: TestNetns;
  let ours: TestNetns;
  before(() => {
    theirs = TestNetns.create('cliK');
    ours = TestNetns.create('cliset');
    makeDevices(theirs);
    makeDevices(ours);
  });
  after(() => {
    api.releaseSockets();
    theirs?.destroy();
    ours?.destroy();
  });

  const outputs = new Set<string>();
  for (const dev of DEVICES) {
    it(`${dev}: every step prints, exits and ends like ethtool -K`, async () => {
      for (const args of SEQUENCE) {
        const step = `${dev}: ${args.join(' ')}`;
        const e = theirs.ethtool('-K', dev, ...args);
        const r = await cli(['set', dev, ...args, '--netns', ours.name]);
        assert.deepEqual(r, { stdout: e.stdout, stderr: e.stderr, status: e.status }, step);
        assert.equal(ours.ethtool('-k', dev).stdout, theirs.ethtool('-k', dev).stdout, step);
        outputs.add(e.stdout.split('\n').slice(1).map((l) => l.replace(/^[^:]+: /, '')).join(','));
        if (e.stderr) outputs.add(e.stderr);
      }
    });
  }

  it('the sequences covered silence, [requested x], [not requested] and "Could not change"', () => {
    const all = [...outputs].join('\n');
    for (const s of ['[requested on]', '[requested off]', '[not requested]', 'Could not change any device features']) {
      assert.ok(all.includes(s), `no step printed ${s}`);
    }
  });

  it('the bridge follows its ports: a port change shows up in br0 the same way', async () => {
    const e = theirs.ethtool('-K', 'v1', 'tx', 'off');
    assert.deepEqual(await cli(['set', 'v1', 'tx', 'off', '--netns', ours.name]), { stdout: e.stdout, stderr: e.stderr, status: e.status });
    assert.equal(ours.ethtool('-k', 'br0').stdout, theirs.ethtool('-k', 'br0').stdout);
    assert.equal((await cli(['show', 'br0', '--netns', ours.name])).stdout, theirs.ethtool('-k', 'br0').stdout);
  });

  it('an empty request is a usage error (ethtool -K prints "Could not change any device features"), nothing sent', async () => {
    const e = theirs.ethtool('-K', 'v0');
    assert.equal(e.status, 1);
    for (const extra of [[], ['--check'], ['--json']]) {
      const before = ours.ethtool('-k', 'v0').stdout;
      const r = await cli(['set', 'v0', ...extra, '--netns', ours.name]);
      assert.equal(r.status, 1, 'the same exit status as ethtool');
      if (extra[0] === '--json') assert.equal(JSON.parse(r.stdout).error.code, 'ERR_USAGE');
      else assert.match(r.stderr, /^nic-offload: set: give an interface and NAME on\|off pairs/);
      assert.equal(ours.ethtool('-k', 'v0').stdout, before);
    }
  });

  it('repeated options, -h among the arguments, single-dash words and empty values are usage errors', async () => {
    for (const args of [
      ['set', 'v0', 'gro', 'off', '--netns', ours.name, '--netns', theirs.name],
      ['set', 'v0', 'gro', '-h'],
      ['set', 'v0', '-gro', 'off', '--netns', ours.name],
      ['set', 'v0', 'gro', 'off', '--netns='],
      ['show', '-k'],
      ['show', 'v0', '--netns', ''],
      ['set', 'v0', 'gro', 'off', '--check', '--check', '--netns', ours.name],
    ]) {
      const before = ours.ethtool('-k', 'v0').stdout;
      const r = await cli(args);
      assert.equal(r.status, 1, args.join(' '));
      assert.match(r.stderr, /^nic-offload: (set|show): /, args.join(' '));
      assert.equal(r.stdout, '', args.join(' '));
      assert.equal(ours.ethtool('-k', 'v0').stdout, before, `${args.join(' ')}: nothing changed`);
    }
  });

  describe('--check', () => {
    const requests: string[][] = [['gro', 'off'], ['gro', 'off'], ['tx', 'off', 'sg', 'off'], ['highdma', 'off'], ['sg', 'on', 'tx', 'on']];
    for (const args of requests) {
      it(`v0 ${args.join(' ') || '(nothing)'}: changes nothing, exit status predicts what set does`, async () => {
        const before = ours.ethtool('-k', 'v0').stdout;
        const c = await cli(['set', 'v0', ...args, '--check', '--netns', ours.name]);
        assert.equal(ours.ethtool('-k', 'v0').stdout, before, 'check changed the device');
        const cj = await cli(['set', 'v0', ...args, '--check', '--json', '--netns', ours.name]);
        assert.equal(cj.status, c.status);
        assert.equal(JSON.parse(cj.stdout).check, true);

        const s = await cli(['set', 'v0', ...args, '--json', '--netns', ours.name]);
        const setJson = JSON.parse(s.stdout);
        const after = ours.ethtool('-k', 'v0').stdout;
        assert.equal(s.status, theirs.ethtool('-K', 'v0', ...args).status); // keeps the twins in step
        assert.equal(after, theirs.ethtool('-k', 'v0').stdout);
        const expected = after !== before || setJson.changed ? 2 : s.status === 1 ? 1 : 0;
        assert.equal(c.status, expected, c.stdout + c.stderr);
        assert.equal(JSON.parse(cj.stdout).changed, setJson.changed);
        // The planned lines of requested features are what happened to them.
        for (const a of setJson.requested as Array<{ name: string; before: boolean; after: boolean }>) {
          const line = `${a.name}: ${a.before ? 'on' : 'off'} -> ${a.after ? 'on' : 'off'}\n`;
          assert.equal(c.stdout.includes(line), a.before !== a.after, `${line} in plan:\n${c.stdout}`);
        }
      });
    }
  });

  describe('--json', () => {
    it('reports what ethtool -K reports, per feature: asked, before, after, unmet', async () => {
      for (const args of [['sg', 'off'], ['tso', 'on'], ['sg', 'on'], ['tx', 'off'], ['tx', 'on'], ['highdma', 'on']]) {
        const e = parseEthtoolSet(...Object.values(theirs.ethtool('-K', 'v0', ...args)) as [string, string, number]);
        const r = await cli(['set', 'v0', ...args, '--json', '--netns', ours.name]);
        const j = JSON.parse(r.stdout);
        assert.equal(r.status, e.status);
        assert.equal(r.stderr, '');
        assert.equal(j.interface, 'v0');
        assert.equal(j.netns, ours.name);
        assert.equal(j.couldNotChange, e.couldNotChange);
        const onoff = (b: boolean) => (b ? 'on' : 'off');
        const lines: Record<string, string> = {};
        if (j.unmet.length || j.changes.some((c: { asked: boolean | null }) => c.asked === null)) {
          for (const c of j.changes) lines[c.name] = c.asked === null ? `${onoff(c.after)} [not requested]` : onoff(c.after);
          for (const u of j.unmet) lines[u.name] = `${onoff(u.actual)} [requested ${onoff(u.asked)}]`;
        }
        assert.deepEqual(lines, e.lines, args.join(' '));
        assert.equal(ours.ethtool('-k', 'v0').stdout, theirs.ethtool('-k', 'v0').stdout);
      }
    });
  });

  describe('bad requests', () => {
    it('a value other than on/off: exit 1 like ethtool, one line naming the feature, nothing changed', async () => {
      for (const args of [['rx', 'maybe'], ['rx'], ['rx', 'off', 'tx']]) {
        const before = ours.ethtool('-k', 'v0').stdout;
        const e = theirs.ethtool('-K', 'v0', ...args);
        const r = await cli(['set', 'v0', ...args, '--netns', ours.name]);
        assert.equal(r.status, e.status);
        assert.equal(r.stdout, '');
        assert.match(r.stderr, /^nic-offload: set: feature "(rx|tx)" must be followed by on or off, got [^\n]+\n$/);
        assert.equal(ours.ethtool('-k', 'v0').stdout, before);
      }
    });

    // Deliberate difference: ethtool passes the name to the kernel and prints its netlink error;
    // we say which names exist and change nothing. Exit status is ethtool's (92).
    it('an unknown feature name: exit 92 like ethtool, one line with suggestions, nothing changed', async () => {
      const before = ours.ethtool('-k', 'v0').stdout;
      const e = theirs.ethtool('-K', 'v0', 'gro', 'off', 'rx-gro-hq', 'on');
      assert.match(e.stderr, /bit name not found/);
      const r = await cli(['set', 'v0', 'gro', 'off', 'rx-gro-hq', 'on', '--netns', ours.name]);
      assert.equal(r.status, e.status);
      assert.match(r.stderr, /^nic-offload: unknown feature name "rx-gro-hq"; did you mean [^\n]*rx-gro-hw[^\n]*\n$/);
      assert.equal(ours.ethtool('-k', 'v0').stdout, before);
      const j = await cli(['set', 'v0', 'rx-gro-hq', 'on', '--json', '--netns', ours.name]);
      assert.equal(j.status, 92);
      assert.equal(JSON.parse(j.stdout).error.code, 'ERR_UNKNOWN_FEATURE');
      assert.ok(JSON.parse(j.stdout).error.suggestions.includes('rx-gro-hw'));
    });

    it('a missing interface: exit 92 like ethtool -K, one line', async () => {
      const e = theirs.ethtool('-K', 'nosuch0', 'rx', 'off');
      const r = await cli(['set', 'nosuch0', 'rx', 'off', '--netns', ours.name]);
      assert.equal(r.status, e.status);
      assert.match(r.stderr, /^nic-offload: no such network interface: interface "nosuch0"[^\n]*\n$/);
      const j = await cli(['set', 'nosuch0', 'rx', 'off', '--json', '--netns', ours.name]);
      assert.equal(JSON.parse(j.stdout).error.code, 'ENODEV');
    });

    // Deliberate difference: for a never-changeable feature (vlan-challenged) the kernel rejects
    // ethtool's whole netlink request (EINVAL, exit 92); we never send it, apply the rest of the
    // request and report it as not taken effect.
    it('a never-changeable feature: reported as not taking effect (ethtool: kernel EINVAL)', async () => {
      const e = theirs.ethtool('-K', 'v0', 'vlan-challenged', 'on');
      assert.equal(e.status, 92);
      const r = await cli(['set', 'v0', 'vlan-challenged', 'on', '--netns', ours.name]);
      assert.deepEqual(r, { stdout: 'Actual changes:\nvlan-challenged: off [requested on]\n', stderr: 'Could not change any device features\n', status: 1 });
    });

    it('no interface, an unknown option: a usage line, exit 1', async () => {
      const r = await cli(['set']);
      assert.equal(r.status, 1);
      assert.match(r.stderr, /^nic-offload: set: give an interface and NAME on\|off pairs, e\.g\. "nic-offload set eth0 rx off gro off"\n$/);
      const o = await cli(['set', 'v0', 'rx', 'off', '--force']);
      assert.equal(o.status, 1);
      assert.match(o.stderr, /unknown option --force/);
    });

    it('without CAP_NET_ADMIN: exit 92 like ethtool -K, one line saying what is needed', () => {
      // Run inside the namespace as root with every capability dropped (no --netns: entering one
      // needs privilege too). Staying uid 0 keeps the checkout readable wherever it was cloned.
      const asNobody = ['setpriv', '--inh-caps=-all', '--ambient-caps=-all', '--bounding-set=-all'];
      const want = ours.ethtool('-k', 'v0').stdout.includes('generic-receive-offload: on') ? 'off' : 'on';
      const e = run('ip', ['netns', 'exec', theirs.name, ...asNobody, 'ethtool', '-K', 'v0', 'gro', want]);
      const [node, ...rest] = require('../helpers/cli-run').binArgv('set', 'v0', 'gro', want);
      const r = run('ip', ['netns', 'exec', ours.name, ...asNobody, node, ...rest]);
      assert.equal(r.status, e.status);
      assert.equal(r.stdout, '');
      assert.match(r.stderr, /^nic-offload: changing offloads of interface "v0" needs CAP_NET_ADMIN: run as root or grant the capability[^\n]*\n$/);
      // reading needs no privilege
      const show = run('ip', ['netns', 'exec', ours.name, ...asNobody, ...require('../helpers/cli-run').binArgv('show', 'v0')]);
      assert.equal(show.status, 0, show.stderr);
      assert.equal(show.stdout, ours.ethtool('-k', 'v0').stdout);
    });
  });

  it('the installed command works as a process: exit status reaches the shell', () => {
    const r = bin(['set', 'v0', 'ufo', 'on', '--netns', ours.name]);
    const e = theirs.ethtool('-K', 'v0', 'ufo', 'on');
    assert.deepEqual(r, e);
  });
});
