// Temporary system trees for persistence tests: a root prefix with just the files detection
// looks at (copied from this machine's real packages where a consumer reads them), removed in
// after-hooks. Nothing here writes outside the temp directory.
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { must } from './netns';

export class TempRoot {
  /** Every tree made and not yet removed in this process (persistFixture fails a test that leaves one). */
  static readonly live = new Set<TempRoot>();
  readonly dir: string;

  constructor(tag = 'root') {
    this.dir = fs.mkdtempSync(path.join(os.tmpdir(), `nicoff-persist-${tag}-`));
    TempRoot.live.add(this);
  }

  path(p: string): string {
    return path.join(this.dir, p);
  }

  write(p: string, data: string | Buffer, mode = 0o644): void {
    fs.mkdirSync(path.dirname(this.path(p)), { recursive: true });
    fs.writeFileSync(this.path(p), data, { mode });
    fs.chmodSync(this.path(p), mode);
  }

  read(p: string): string {
    return fs.readFileSync(this.path(p), 'utf8');
  }

  exists(p: string): boolean {
    try {
      fs.lstatSync(this.path(p));
      return true;
    } catch {
      return false;
    }
  }

  copyFromHost(p: string, to = p): void {
    this.write(to, fs.readFileSync(p), fs.statSync(p).mode & 0o7777);
  }

  symlink(target: string, p: string): void {
    fs.mkdirSync(path.dirname(this.path(p)), { recursive: true });
    fs.symlinkSync(target, this.path(p));
  }

  /** Every file and link under the root with its content hash and mode (to prove nothing changed). */
  snapshot(): Record<string, string> {
    const out: Record<string, string> = {};
    const walk = (rel: string): void => {
      for (const n of fs.readdirSync(this.path(rel)).sort()) {
        const r = path.join(rel, n);
        const st = fs.lstatSync(this.path(r));
        if (st.isDirectory()) {
          out[r + '/'] = (st.mode & 0o7777).toString(8);
          walk(r);
        } else if (st.isSymbolicLink()) out[r] = `-> ${fs.readlinkSync(this.path(r))}`;
        else if (!st.isFile()) out[r] = `special ${(st.mode & 0o177777).toString(8)}`; // a FIFO is never opened
        else out[r] = `${(st.mode & 0o7777).toString(8)} ${crypto.createHash('sha256').update(fs.readFileSync(this.path(r))).digest('hex')}`;
      }
    };
    walk('/');
    return out;
  }

  /** Empties the tree (a test that starts over with another system). */
  clear(): void {
    for (const n of fs.readdirSync(this.dir)) fs.rmSync(this.path(n), { recursive: true, force: true });
  }

  remove(): void {
    fs.rmSync(this.dir, { recursive: true, force: true });
    TempRoot.live.delete(this);
  }
}

/** This machine's udev version, from the real udevadm. */
export function hostUdevVersion(): number {
  return parseInt(must('udevadm', ['--version']), 10);
}

/** The dpkg status stanza detection reads the udev version from (in an image). */
export function addUdev(root: TempRoot, version = hostUdevVersion()): void {
  root.write('/var/lib/dpkg/status', `Package: udev\nStatus: install ok installed\nPriority: important\nVersion: ${version}.1-1\n\n`);
  fs.mkdirSync(root.path('/usr/lib/udev/rules.d'), { recursive: true });
}

/** ifupdown (the real binary and the ethtool package's hook) and an interfaces file that sources interfaces.d. */
export function addIfupdown(root: TempRoot, interfaces = 'source /etc/network/interfaces.d/*\n'): void {
  root.copyFromHost('/sbin/ifup');
  root.copyFromHost('/etc/network/if-up.d/ethtool');
  root.write('/etc/network/interfaces', interfaces);
  for (const d of ['interfaces.d', 'if-pre-up.d', 'if-down.d', 'if-post-down.d']) fs.mkdirSync(root.path(`/etc/network/${d}`), { recursive: true });
}

/** NetworkManager installed and enabled, with Debian's configuration (ifupdown plugin, managed=false). */
export function addNetworkManager(root: TempRoot, conf = '[main]\nplugins=ifupdown,keyfile\n\n[ifupdown]\nmanaged=false\n'): void {
  root.write('/usr/sbin/NetworkManager', 'detection only checks that the daemon is installed\n', 0o755);
  root.write('/etc/NetworkManager/NetworkManager.conf', conf);
  fs.mkdirSync(root.path('/etc/NetworkManager/system-connections'), { recursive: true });
  root.symlink('/lib/systemd/system/NetworkManager.service', '/etc/systemd/system/multi-user.target.wants/NetworkManager.service');
}

/** systemd's stock 99-default.link, copied from this machine. */
export function addDefaultLink(root: TempRoot): void {
  root.copyFromHost('/usr/lib/systemd/network/99-default.link');
}

/** `ethtool -k DEV` in the namespace as name -> on, under both the legacy labels and kernel names. */
export function ethtoolFeatures(ns: { ethtool(...a: string[]): { stdout: string; status: number | null; stderr: string } }, dev: string): Record<string, boolean> {
  const r = ns.ethtool('-k', dev);
  if (r.status !== 0) throw new Error(`ethtool -k ${dev}: ${r.stderr}`);
  const out: Record<string, boolean> = {};
  for (const line of r.stdout.split('\n')) {
    const m = /^\s*([a-z0-9_-]+): (on|off)/.exec(line);
    if (m) out[m[1]] = m[2] === 'on';
  }
  return out;
}
