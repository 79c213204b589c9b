// Hostile trees under --root, through the real CLI as a child process: symlinked directories that
// point out of the root (absolute, or climbing with ".."), loops, files where directories belong,
// a symlinked lock file, state file or target file, and a process swapping a directory for a
// symlink while persist runs. Every path must resolve inside the root, as chroot(2) would resolve
// it (an absolute link means the image's path, never the host's); what cannot is refused with a
// stable code, and nothing outside the root (the "victim" tree) is ever created, changed or removed.
import assert from 'assert/strict';
import { spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { persist, unpersist } from '../../ts/persist';
import { addIfupdown, addNetworkManager, addUdev, TempRoot } from '../helpers/persist-roots';

const DIST_CLI = path.join(__dirname, '..', '..', 'dist', 'cli', 'main.js');
const IF = 'nofs7'; // absent here: every call uses --no-apply, as image builders do
const RULE = `/etc/udev/rules.d/90-nic-offload-${IF}.rules`;
const OWNED = `# Managed by nic-offload: "nic-offload unpersist ${IF}" removes this file. Do not edit.\n`;

interface CliOut {
  status: number | null;
  code?: string;
  stdout: string;
  stderr: string;
}

function nicOffload(...args: string[]): CliOut {
  const r = spawnSync(process.execPath, [DIST_CLI, ...args, '--json'], { encoding: 'utf8' });
  let code: string | undefined;
  try {
    code = JSON.parse(r.stdout).error?.code;
  } catch {
    code = undefined;
  }
  return { status: r.status, code, stdout: r.stdout, stderr: r.stderr };
}

/** The root's tree without the package's state directory (the lock file may appear there). */
function tree(root: TempRoot): Record<string, string> {
  return Object.fromEntries(Object.entries(root.snapshot()).filter(([k]) => !k.startsWith('/var/lib/nic-offload')));
}

interface HostileCase {
  what: string;
  /** Builds the hostile tree; `v` is the victim directory outside the root. */
  setup(r: TempRoot, v: TempRoot): void;
  args: string[];
  code: string;
}

/** `n` levels of "../": more than any root here is deep, so the link climbs out of it. */
const up = (n = 12): string => '../'.repeat(n);

const CASES: HostileCase[] = [
  {
    what: 'rules.d is an absolute link to a host directory (the image has no such directory)',
    setup: (r, v) => {
      addUdev(r);
      r.symlink(v.dir, '/etc/udev/rules.d');
    },
    args: ['--backend', 'udev'],
    code: 'ERR_PERSIST_PATH',
  },
  {
    what: 'rules.d is a relative link climbing out of the root',
    setup: (r, v) => {
      addUdev(r);
      r.symlink(up() + v.dir.slice(1), '/etc/udev/rules.d');
    },
    args: ['--backend', 'udev'],
    code: 'ERR_PERSIST_PATH',
  },
  {
    what: '/etc itself is a link to a host directory',
    setup: (r, v) => {
      addUdev(r);
      r.symlink(v.dir, '/etc');
    },
    args: ['--backend', 'udev'],
    code: 'ERR_PERSIST_PATH',
  },
  {
    what: '/etc/systemd/network is a link out of the root (systemd-link)',
    setup: (r, v) => {
      addUdev(r);
      r.symlink(up() + v.dir.slice(1), '/etc/systemd/network');
    },
    args: ['--backend', 'systemd-link'],
    code: 'ERR_PERSIST_PATH',
  },
  {
    what: '/etc/network/interfaces.d is a link to a host directory (ifupdown)',
    setup: (r, v) => {
      addUdev(r, 241);
      addIfupdown(r);
      fs.rmdirSync(r.path('/etc/network/interfaces.d'));
      r.symlink(v.dir, '/etc/network/interfaces.d');
    },
    args: ['--backend', 'ifupdown'],
    code: 'ERR_PERSIST_PATH',
  },
  {
    what: 'system-connections is a link to a host directory holding a profile for the device (networkmanager)',
    setup: (r, v) => {
      addUdev(r);
      addNetworkManager(r);
      fs.rmdirSync(r.path('/etc/NetworkManager/system-connections'));
      r.symlink(v.dir, '/etc/NetworkManager/system-connections');
      v.write('/wired.nmconnection', `[connection]\nid=wired\ntype=ethernet\ninterface-name=${IF}\n`, 0o600);
    },
    args: ['--backend', 'networkmanager'],
    code: 'ERR_PERSIST_PATH',
  },
  {
    what: 'the state directory is a link to a host directory',
    setup: (r, v) => {
      addUdev(r);
      fs.mkdirSync(r.path('/etc/udev/rules.d'), { recursive: true });
      r.symlink(v.dir, '/var/lib/nic-offload');
    },
    args: ['--backend', 'udev'],
    code: 'ERR_PERSIST_PATH',
  },
  {
    what: '/var/lib is a relative link climbing out of the root',
    setup: (r, v) => {
      addUdev(r);
      fs.rmSync(r.path('/var/lib'), { recursive: true });
      r.symlink(up() + v.dir.slice(1), '/var/lib');
      fs.mkdirSync(r.path('/usr/lib/udev/rules.d'), { recursive: true });
    },
    args: ['--backend', 'udev'],
    code: 'ERR_PERSIST_PATH',
  },
  {
    what: 'a symlink loop on the path (rules.d -> rules.d)',
    setup: (r) => {
      addUdev(r);
      r.symlink('rules.d', '/etc/udev/rules.d');
    },
    args: ['--backend', 'udev'],
    code: 'ERR_PERSIST_PATH',
  },
  {
    what: 'a regular file where a directory must be (/etc/udev/rules.d)',
    setup: (r) => {
      addUdev(r);
      r.write('/etc/udev/rules.d', 'not a directory\n');
    },
    args: ['--backend', 'udev'],
    code: 'ERR_PERSIST_PATH',
  },
  {
    what: 'the lock file is an absolute link to a host file',
    setup: (r, v) => {
      addUdev(r);
      r.symlink(path.join(v.dir, 'lock'), '/var/lib/nic-offload/lock');
    },
    args: ['--backend', 'udev'],
    code: 'ERR_PERSIST_REFUSED',
  },
  {
    what: 'the lock file is a relative link climbing out of the root',
    setup: (r, v) => {
      addUdev(r);
      r.symlink(up() + v.dir.slice(1) + '/lock', '/var/lib/nic-offload/lock');
    },
    args: ['--backend', 'udev'],
    code: 'ERR_PERSIST_REFUSED',
  },
  {
    what: 'the lock file is a FIFO',
    setup: (r) => {
      addUdev(r);
      fs.mkdirSync(r.path('/var/lib/nic-offload'), { recursive: true });
      assert.equal(spawnSync('mkfifo', [r.path('/var/lib/nic-offload/lock')]).status, 0);
    },
    args: ['--backend', 'udev'],
    code: 'ERR_PERSIST_REFUSED',
  },
  {
    what: 'the udev rule path is a link to an owned-looking file elsewhere in the image',
    setup: (r) => {
      addUdev(r);
      r.write('/etc/keep.rules', OWNED + '# an administrator keeps this file here\n');
      r.symlink('/etc/keep.rules', RULE);
    },
    args: ['--backend', 'udev'],
    code: 'ERR_PERSIST_REFUSED',
  },
  {
    what: 'the .link file path is a link to a host file',
    setup: (r, v) => {
      addUdev(r);
      v.write('/x.link', OWNED + '[Match]\nOriginalName=x\n');
      r.symlink(path.join(v.dir, 'x.link'), `/etc/systemd/network/10-nic-offload-${IF}.link`);
    },
    args: ['--backend', 'systemd-link'],
    code: 'ERR_PERSIST_REFUSED',
  },
  {
    what: 'the ifupdown stanza path is a relative link to another file of the image',
    setup: (r) => {
      addUdev(r, 241);
      addIfupdown(r);
      r.write('/etc/network/keep', OWNED);
      r.symlink('../keep', `/etc/network/interfaces.d/${IF}`);
    },
    args: ['--backend', 'ifupdown'],
    code: 'ERR_PERSIST_REFUSED',
  },
  {
    what: 'the state file is a link to a host file',
    setup: (r, v) => {
      addUdev(r);
      v.write('/persisted.json', '{"version": 1, "interfaces": {}}\n');
      r.symlink(path.join(v.dir, 'persisted.json'), '/var/lib/nic-offload/persisted.json');
    },
    args: ['--backend', 'udev'],
    code: 'ERR_PERSIST_REFUSED',
  },
  {
    what: 'a NetworkManager profile that binds the device is a link to a file elsewhere in the image',
    setup: (r) => {
      addUdev(r);
      addNetworkManager(r);
      r.write('/etc/keep.nmconnection', `[connection]\nid=wired\ntype=ethernet\ninterface-name=${IF}\n`, 0o600);
      r.symlink('/etc/keep.nmconnection', '/etc/NetworkManager/system-connections/wired.nmconnection');
    },
    args: ['--backend', 'networkmanager'],
    code: 'ERR_PERSIST_REFUSED',
  },
];

describe('persist: hostile paths under --root (the CLI as a child process)', function () {
  this.timeout(120000);
  let root: TempRoot;
  let victim: TempRoot;
  before(() => {
    assert.ok(fs.existsSync(DIST_CLI), `${DIST_CLI} is missing: run "npm run build:ts" first (npm test does)`);
    assert.ok(!fs.existsSync(`/sys/class/net/${IF}`));
  });
  beforeEach(() => {
    root = new TempRoot('paths');
    victim = new TempRoot('victim');
  });
  afterEach(() => {
    root?.remove();
    victim?.remove();
  });

  for (const c of CASES) {
    it(`refuses: ${c.what}`, () => {
      c.setup(root, victim);
      const victimBefore = victim.snapshot();
      const rootBefore = tree(root);
      const r = nicOffload('persist', IF, 'rx', 'off', '--no-apply', '--root', root.dir, ...c.args);
      assert.equal(r.status, 1, r.stdout + r.stderr);
      assert.equal(r.code, c.code, r.stdout);
      assert.deepEqual(victim.snapshot(), victimBefore, 'nothing outside the root changed');
      assert.deepEqual(tree(root), rootBefore, 'nothing under the root changed either');
    });
  }

  it('an absolute link inside the image means the image\'s directory, never the host\'s', () => {
    addUdev(root);
    // The same absolute path exists on the host (the victim) and inside the image.
    fs.mkdirSync(root.path(victim.dir), { recursive: true });
    root.symlink(victim.dir, '/etc/udev/rules.d');
    const p = nicOffload('persist', IF, 'rx', 'off', '--no-apply', '--root', root.dir, '--backend', 'udev');
    assert.equal(p.status, 0, p.stdout + p.stderr);
    assert.ok(root.exists(`${victim.dir}/90-nic-offload-${IF}.rules`), 'written where the image link points, inside the root');
    assert.deepEqual(fs.readdirSync(victim.dir), []);
    const u = nicOffload('unpersist', IF, '--root', root.dir);
    assert.equal(u.status, 0, u.stdout + u.stderr);
    assert.deepEqual(fs.readdirSync(root.path(victim.dir)), []);
    // A relative link that stays inside resolves too.
    fs.rmSync(root.path('/etc/udev/rules.d'));
    root.symlink('../../usr/lib/udev/rules.d', '/etc/udev/rules.d');
    assert.equal(nicOffload('persist', IF, 'rx', 'off', '--no-apply', '--root', root.dir, '--backend', 'udev').status, 0);
    assert.ok(root.exists(`/usr/lib/udev/rules.d/90-nic-offload-${IF}.rules`));
  });

  it('unpersist never deletes through a directory link: out of the root it is not the recorded file', () => {
    addUdev(root);
    fs.mkdirSync(root.path('/etc/udev/rules.d'), { recursive: true });
    assert.equal(nicOffload('persist', IF, 'rx', 'off', '--no-apply', '--root', root.dir, '--backend', 'udev').status, 0);
    // Someone swaps the rules directory for links to a host directory holding the same file name.
    const rule = root.read(RULE);
    victim.write(`/90-nic-offload-${IF}.rules`, rule);
    const victimBefore = victim.snapshot();
    fs.rmSync(root.path('/etc/udev/rules.d'), { recursive: true });
    root.symlink(up() + victim.dir.slice(1), '/etc/udev/rules.d');
    const climbing = nicOffload('unpersist', IF, '--root', root.dir);
    assert.equal(climbing.status, 1);
    assert.equal(climbing.code, 'ERR_PERSIST_PATH');
    fs.rmSync(root.path('/etc/udev/rules.d'));
    root.symlink(victim.dir, '/etc/udev/rules.d'); // the image's path of that name does not exist
    const absolute = nicOffload('unpersist', IF, '--root', root.dir);
    assert.equal(absolute.status, 0, absolute.stdout);
    assert.deepEqual(victim.snapshot(), victimBefore, 'the host file is still there');
  });

  it('a process swapping rules.d between a link inside and a link out of the root while persist runs: never a write outside', async () => {
    addUdev(root);
    const udevDir = root.path('/etc/udev');
    fs.mkdirSync(path.join(udevDir, 'real'), { recursive: true });
    fs.symlinkSync('real', path.join(udevDir, 'rules.d'));
    // Replaces the link atomically (rename over it), as fast as ln(1) and mv(1) go.
    const swap = 'cd "$1" && while :; do ln -sfn real n; mv -T n rules.d; ln -sfn "$2" n; mv -T n rules.d; done';
    // Its own process group, so that the ln or mv running at the end dies with it.
    const swapper = spawn('sh', ['-c', swap, 'sh', udevDir, up() + victim.dir.slice(1)], { stdio: 'ignore', detached: true });
    const codes = new Map<string, number>();
    try {
      for (let i = 0; i < 60; i++) {
        for (const call of [
          () => persist(IF, { rx: i % 2 === 0 }, { root: root.dir, apply: false, backend: 'udev' }),
          () => unpersist(IF, undefined, { root: root.dir }),
        ]) {
          const code = await call().then(
            () => 'ok',
            (e: { code?: string }) => e.code ?? String(e),
          );
          codes.set(code, (codes.get(code) ?? 0) + 1);
        }
      }
    } finally {
      const exited = new Promise((r) => swapper.on('exit', r));
      process.kill(-(swapper.pid as number), 'SIGKILL');
      await exited;
      // Until the whole group is gone: an ln or mv in the middle of a call finishes it first.
      for (;;) {
        try {
          process.kill(-(swapper.pid as number), 0);
        } catch {
          break;
        }
        await new Promise((r) => setTimeout(r, 10));
      }
    }
    assert.deepEqual(fs.readdirSync(victim.dir), [], 'nothing was ever written through the link');
    for (const code of codes.keys()) assert.ok(['ok', 'ERR_PERSIST_PATH'].includes(code), `unexpected outcome ${code} (${JSON.stringify([...codes])})`);
  });
});
