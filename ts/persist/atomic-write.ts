// Crash-safe file replacement: a dot-named temp file in the same directory (no consumer reads
// it: NetworkManager skips dotfiles, ifupdown's `source dir/*` glob skips them, and .link/.rules
// loading needs its own suffix), fsync, rename over the target, fsync the directory. A crash at
// any point leaves the old file or the new one, never a torn one.
import { randomBytes } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { processAlive as alive } from '../pid';

const TEMP_RE = /^\.(.+)\.(\d+)\.[0-9a-f]{8}\.tmp$/;

function fsyncDir(dir: string): void {
  const fd = fs.openSync(dir, 'r');
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

/** mkdir -p with mode 0755, syncing each parent that gained an entry. */
export function ensureDir(dir: string): void {
  if (fs.existsSync(dir)) return;
  ensureDir(path.dirname(dir));
  try {
    fs.mkdirSync(dir, { mode: 0o755 });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
  }
  fsyncDir(path.dirname(dir));
}

/** Removes temp files a killed writer left next to `file` (never those of a live process). */
export function sweepTemps(file: string): void {
  const dir = path.dirname(file);
  const base = path.basename(file);
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return;
  }
  for (const n of names) {
    const m = TEMP_RE.exec(n);
    if (m && m[1] === base && !alive(Number(m[2]))) fs.rmSync(path.join(dir, n), { force: true });
  }
}

/** Replaces `file` with `data` atomically, with permission `mode` (the umask does not apply). */
export function writeFileAtomic(file: string, data: Buffer, mode: number): void {
  const dir = path.dirname(file);
  ensureDir(dir);
  sweepTemps(file);
  const tmp = path.join(dir, `.${path.basename(file)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  const fd = fs.openSync(tmp, fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_EXCL, mode);
  try {
    try {
      let off = 0;
      while (off < data.length) off += fs.writeSync(fd, data, off, data.length - off);
      fs.fchmodSync(fd, mode);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(tmp, file);
  } catch (e) {
    fs.rmSync(tmp, { force: true });
    throw e;
  }
  fsyncDir(dir);
}

/** Removes `file` (if present) and makes the removal durable. */
export function removeFileDurable(file: string): void {
  try {
    fs.unlinkSync(file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw e;
  }
  fsyncDir(path.dirname(file));
}

/** Removes `dir` if it is empty (a directory this package created for a file it removed). */
export function removeEmptyDir(dir: string): void {
  try {
    fs.rmdirSync(dir);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOTEMPTY' || code === 'EEXIST' || code === 'ENOENT') return;
    throw e;
  }
  fsyncDir(path.dirname(dir));
}
