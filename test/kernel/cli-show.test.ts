// `nic-offload show` against the real `ethtool -k` (netlink, this machine's ethtool) on every
// device type we can make, in several states: stdout, stderr and exit status byte for byte;
// --json parsed against `ethtool --json -k`.
import assert from 'assert/strict';
import * as api from '../../ts/index';
import { binArgv, cli } from '../helpers/cli-run';
import { DEVICES, makeDevices } from '../helpers/devices';
import { run, TestNetns } from '../helpers/netns';

// Each state is reached from the previous one by these `ethtool -K` requests.
const STATES: Array<Array<[string, ...string[]]>> = [
  [],
  [['v0', 'sg', 'off'], ['v0', 'tso', 'on'], ['tap0', 'tx', 'off'], ['br0', 'gso', 'off']],
  [['v0', 'sg', 'on', 'rx', 'off'], ['v1', 'gro', 'off', 'tx-nocache-copy', 'on'], ['lo', 'tso', 'off'], ['vx0', 'rx-gro-list', 'on']],
  [['v1', 'tx', 'off'], ['br0', 'tx', 'off', 'sg', 'off'], ['tap0', 'rx-udp-gro-forwarding', 'on', 'highdma', 'off']],
];

/** `ethtool -k` output without what --changeable leaves out: [fixed] lines, and group headings
 *  (a line followed by TAB-indented members) none of whose members is left. */
function withoutFixed(text: string): string {
  const lines = text.split('\n');
  const keep = lines.map((l) => !l.includes(' [fixed]'));
  for (let i = 0; i < lines.length; i++) {
    if (lines[i].startsWith('\t') || !lines[i + 1]?.startsWith('\t')) continue;
    let j = i + 1;
    let any = false;
    for (; lines[j]?.startsWith('\t'); j++) any ||= keep[j];
    keep[i] = any;
  }
  return lines.filter((_, i) => keep[i]).join('\n');
}

describe('cli: show is ethtool -k (real kernel, real ethtool)', function () {
  this.timeout(120000);
  let ns: TestNetns;
  before(() => {
    ns = TestNetns.create('clishow');
    makeDevices(ns);
  });
  after(() => {
    api.releaseSockets();
    ns?.destroy();
  });

  STATES.forEach((steps, state) => {
    describe(`state ${state}`, () => {
      before(() => {
        for (const [dev, ...args] of steps) {
          const r = ns.ethtool('-K', dev, ...args);
          assert.ok(r.status === 0, `ethtool -K ${dev} ${args.join(' ')}: ${r.stderr}`);
        }
        // From state 1 on, v0 shows TSO as off [requested on] (scatter-gather is off).
        if (state === 1) assert.match(ns.ethtool('-k', 'v0').stdout, /\ttx-tcp-segmentation: off \[requested on\]\n/);
      });

      for (const dev of DEVICES) {
        it(`show ${dev}: byte-identical to ethtool -k ${dev}`, async () => {
          const e = ns.ethtool('-k', dev);
          assert.equal(e.status, 0, e.stderr);
          assert.deepEqual(await cli(['show', dev, '--netns', ns.name]), { stdout: e.stdout, stderr: e.stderr, status: e.status });
        });

        it(`show ${dev} --json: parses to what ethtool --json -k ${dev} prints`, async () => {
          const e = ns.ethtool('--json', '-k', dev);
          const r = await cli(['show', dev, '--netns', ns.name, '--json']);
          assert.equal(r.status, 0);
          assert.equal(r.stderr, '');
          assert.deepEqual(JSON.parse(r.stdout), JSON.parse(e.stdout));
        });

        it(`show ${dev} --changeable (and --json): ethtool -k without fixed lines and empty groups`, async () => {
          const r = await cli(['show', dev, '--changeable', '--netns', ns.name]);
          assert.equal(r.stdout, withoutFixed(ns.ethtool('-k', dev).stdout));
          assert.equal(r.status, 0);
          // --json --changeable: the same lines, as ethtool's JSON entries
          const j = JSON.parse((await cli(['show', dev, '--changeable', '--json', '--netns', ns.name])).stdout)[0];
          const full = JSON.parse(ns.ethtool('--json', '-k', dev).stdout)[0];
          const names = r.stdout.split('\n').slice(1, -1).map((l) => l.trim().split(': ')[0]);
          assert.deepEqual(Object.keys(j), ['ifname', ...names]);
          for (const n of names) assert.deepEqual(j[n], full[n]);
        });
      }

      it("show (no interface): byte-identical to the dump ethtool -k '*'", async () => {
        const e = ns.ethtool('-k', '*');
        assert.match(e.stdout, /^\nFeatures for lo:\n/); // the dump puts a blank line before every device
        assert.deepEqual(await cli(['show', '--netns', ns.name]), { stdout: e.stdout, stderr: e.stderr, status: e.status });
      });

      it("show --json (no interface): parses to ethtool --json -k '*'", async () => {
        const r = await cli(['show', '--json', '--netns', ns.name]);
        assert.deepEqual(JSON.parse(r.stdout), JSON.parse(ns.ethtool('--json', '-k', '*').stdout));
      });
    });
  });

  it('show IFACE IFACE: each device separated as in the dump', async () => {
    const r = await cli(['show', 'v0', 'br0', '--netns', ns.name]);
    assert.equal(r.stdout, `\n${ns.ethtool('-k', 'v0').stdout}\n${ns.ethtool('-k', 'br0').stdout}`);
    const j = await cli(['show', 'v0', 'br0', '--json', '--netns', ns.name]);
    assert.deepEqual(JSON.parse(j.stdout), [...JSON.parse(ns.ethtool('--json', '-k', 'v0').stdout), ...JSON.parse(ns.ethtool('--json', '-k', 'br0').stdout)]);
  });

  it('as a process: plain and identical to ethtool when piped, coloured on a terminal unless NO_COLOR', () => {
    const argv = binArgv('show', 'v0', '--netns', ns.name);
    const piped = run(argv[0], argv.slice(1));
    assert.deepEqual(piped, ns.ethtool('-k', 'v0'));
    // script(1) gives the command a terminal; its output has CRLF line ends.
    const quoted = argv.map((a) => `'${a}'`).join(' ');
    const env = { ...process.env, NO_COLOR: '' };
    const tty = run('script', ['-qec', quoted, '/dev/null'], { env }).stdout.replace(/\r\n/g, '\n');
    assert.match(tty, /\x1b\[32mon\x1b\[0m/);
    assert.equal(tty.replace(/\x1b\[[0-9;]*m/g, ''), piped.stdout);
    const noColor = run('script', ['-qec', quoted, '/dev/null'], { env: { ...process.env, NO_COLOR: '1' } }).stdout;
    assert.equal(noColor.replace(/\r\n/g, '\n'), piped.stdout);
  });

  it('a reader that goes away (show | head): silent, exit status 141 like ethtool killed by SIGPIPE', () => {
    const many = TestNetns.create('pipe');
    try {
      for (let i = 0; i < 40; i++) many.addVeth(`p${i}`, `q${i}`); // more output than a pipe holds
      const head = (argv: string[]) => run('bash', ['-c', 'set -o pipefail; "$@" | head -c 10 >/dev/null', '_', ...argv]);
      const e = head(['ip', 'netns', 'exec', many.name, 'ethtool', '-k', '*']);
      const r = head(binArgv('show', '--netns', many.name));
      assert.deepEqual(r, e);
      assert.equal(r.status, 141);
    } finally {
      many.destroy();
    }
  });

  // Known difference: netlink ethtool resolves an altname and prints the device's own name in
  // the header; SIOCETHTOOL takes the altname as given (and only up to 15 bytes).
  it('an altname: the same features, the header names the name given', async () => {
    ns.ip('link', 'property', 'add', 'dev', 'v0', 'altname', 'v0alt');
    const e = ns.ethtool('-k', 'v0alt');
    assert.match(e.stdout, /^Features for v0:\n/);
    const r = await cli(['show', 'v0alt', '--netns', ns.name]);
    assert.equal(r.stdout, e.stdout.replace(/^Features for v0:/, 'Features for v0alt:'));
    const long = await cli(['show', 'v0-an-altname-too-long', '--netns', ns.name, '--json']);
    assert.equal(JSON.parse(long.stdout).error.code, 'ERR_INVALID_IFNAME');
  });

  it('a missing interface: exit status 1 like ethtool -k, one line saying so, nothing on stdout', async () => {
    const e = ns.ethtool('-k', 'nosuch0');
    const r = await cli(['show', 'nosuch0', '--netns', ns.name]);
    assert.equal(r.status, e.status);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /^nic-offload: no such network interface: interface "nosuch0"[^\n]*\n$/);
    // several interfaces: all or nothing
    const several = await cli(['show', 'v0', 'nosuch0', '--netns', ns.name]);
    assert.equal(several.stdout, '');
    assert.equal(several.status, 1);
  });

  it('--json errors: one object with the error code on stdout, exit status 1', async () => {
    const r = await cli(['show', 'nosuch0', '--json', '--netns', ns.name]);
    assert.equal(r.status, 1);
    assert.equal(r.stderr, '');
    const { error } = JSON.parse(r.stdout);
    assert.equal(error.code, 'ENODEV');
    assert.equal(error.ifname, 'nosuch0');
  });

  it('a missing namespace, a bad name, a bad option: one line, exit status 1', async () => {
    const missing = await cli(['show', 'lo', '--netns', 'nicoff-no-such-ns']);
    assert.equal(missing.status, 1);
    assert.match(missing.stderr, /^nic-offload: network namespace nicoff-no-such-ns does not exist[^\n]*\n$/);
    const bad = await cli(['show', 'a/b', '--netns', ns.name, '--json']);
    assert.equal(JSON.parse(bad.stdout).error.code, 'ERR_INVALID_IFNAME');
    const opt = await cli(['show', 'lo', '--verbose']);
    assert.equal(opt.status, 1);
    assert.match(opt.stderr, /^nic-offload: show: unknown option --verbose .*nic-offload help show"\n$/);
    const noval = await cli(['show', 'lo', '--netns']);
    assert.match(noval.stderr, /--netns needs a value/);
  });
});
