// A cross-process lock: flock(2) on <root>/var/lib/nic-offload/lock. Node has no flock(), so
// flock(1) (util-linux) takes it on a descriptor this process opened and passes down as fd 3:
// flock locks belong to the open file description, so the lock stays with this process after
// flock(1) exits, and the kernel drops it when the descriptor closes, including when the
// process is killed. No stale lock files, no pid guessing. The file is opened inside the root
// with O_NOFOLLOW: a symlink (or a FIFO, a device) there is refused, never followed.
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { ErrorCode, NicOffloadError } from '../errors';
import { ensureDirIn } from './atomic-write';
import { at, closeDir, notRegular } from './confined';

export interface Lock {
  release(): void;
}

const FLOCK_CANDIDATES = ['/usr/bin/flock', '/bin/flock'];

function flockBinary(): string {
  const found = FLOCK_CANDIDATES.find((p) => fs.existsSync(p));
  if (!found) {
    throw new NicOffloadError('flock(1) is missing (install util-linux): it is needed to serialize persist calls', {
      code: ErrorCode.PERSIST_LOCK,
    });
  }
  return found;
}

/** Waits (up to `timeoutSec`) for the exclusive lock on target path `file` under `root`. */
export async function acquireLock(root: string, file: string, timeoutSec = 60): Promise<Lock> {
  const dir = ensureDirIn(root, path.posix.dirname(file));
  let fd: number;
  try {
    const flags = fs.constants.O_RDWR | fs.constants.O_CREAT | fs.constants.O_NOFOLLOW | fs.constants.O_NONBLOCK;
    try {
      fd = fs.openSync(at(dir.fd, path.posix.basename(file)), flags, 0o644);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ELOOP') throw e;
      throw notRegular(file, fs.lstatSync(at(dir.fd, path.posix.basename(file))));
    }
    const st = fs.fstatSync(fd);
    if (!st.isFile()) {
      fs.closeSync(fd);
      throw notRegular(file, st);
    }
  } finally {
    closeDir(dir);
  }
  let stderr = '';
  const status = await new Promise<number | null>((resolve, reject) => {
    const child = spawn(flockBinary(), ['--exclusive', '--wait', String(timeoutSec), '3'], { stdio: ['ignore', 'ignore', 'pipe', fd] });
    child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', resolve);
  }).catch((e: Error) => {
    fs.closeSync(fd);
    throw new NicOffloadError(`cannot run flock(1): ${e.message}`, { code: ErrorCode.PERSIST_LOCK });
  });
  if (status !== 0) {
    fs.closeSync(fd);
    throw new NicOffloadError(
      `another nic-offload process has held ${file} for over ${timeoutSec}s${stderr ? ` (${stderr.trim()})` : ''}; try again`,
      { code: ErrorCode.PERSIST_LOCK },
    );
  }
  let held = true;
  return {
    release() {
      if (held) fs.closeSync(fd);
      held = false;
    },
  };
}
