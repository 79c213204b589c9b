// A cross-process lock: flock(2) on <root>/var/lib/nic-offload/lock. Node has no flock(), so
// flock(1) (util-linux) takes it on a descriptor this process opened and passes down as fd 3:
// flock locks belong to the open file description, so the lock stays with this process after
// flock(1) exits, and the kernel drops it when the descriptor closes, including when the
// process is killed. No stale lock files, no pid guessing.
import { spawn } from 'child_process';
import * as fs from 'fs';
import { ErrorCode, NicOffloadError } from '../errors';
import { ensureDir } from './atomic-write';
import * as path from 'path';

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

/** Waits (up to `timeoutSec`) for the exclusive lock on `file`. */
export async function acquireLock(file: string, timeoutSec = 60): Promise<Lock> {
  ensureDir(path.dirname(file));
  const fd = fs.openSync(file, fs.constants.O_RDWR | fs.constants.O_CREAT, 0o644);
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
