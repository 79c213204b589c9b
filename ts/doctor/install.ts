// `nic-offload guard --install`: a systemd service that runs the guard from boot on, written
// under a root prefix and enabled the way `systemctl enable` does it (a symlink in
// multi-user.target.wants/), both replaced atomically.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { ErrorCode, NicOffloadError } from '../errors';
import { readSystemFile, removeSystemFile, removeSystemLink, writeSystemFile, writeSystemLink } from '../persist';
import { BACKEND_NAMES } from '../persist/types';
import { validateIfname } from '../validate';

export const UNIT_NAME = 'nic-offload-guard.service';
const UNIT_DIR = '/etc/systemd/system';
const WANTS_DIR = `${UNIT_DIR}/multi-user.target.wants`;

export interface InstallOptions {
  /** Root prefix the files go under (default '/'). */
  root?: string;
  /** Interfaces the guard watches (default: all). */
  interfaces?: string[];
  netns?: string;
  backend?: string;
  newOnly?: boolean;
  /** The node binary and CLI script the unit runs (default: this node, this package's CLI). */
  node?: string;
  script?: string;
}

export interface InstallResult {
  /** Paths on the target system. */
  unit: string;
  link: string;
  /** Whether the unit file's bytes changed. */
  changed: boolean;
  content: string;
}

/**
 * Quotes one ExecStart word for systemd: double quotes, C escapes, "%%" for a literal '%'
 * (specifiers), and in arguments "$$" for a literal '$' (the executable is not expanded).
 */
export function systemdQuote(arg: string, executable = false): string {
  let escaped = arg.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/%/g, '%%');
  if (!executable) escaped = escaped.replace(/\$/g, '$$$$');
  return `"${escaped}"`;
}

function checkRoot(root: string): string {
  if (typeof root !== 'string' || !path.isAbsolute(root)) {
    throw new NicOffloadError(`root prefix must be an absolute path, got ${JSON.stringify(root)}`, { code: ErrorCode.INVALID_ROOT });
  }
  let st: fs.Stats;
  try {
    st = fs.statSync(root);
  } catch {
    throw new NicOffloadError(`root prefix ${root} does not exist`, { code: ErrorCode.INVALID_ROOT });
  }
  if (!st.isDirectory()) throw new NicOffloadError(`root prefix ${root} is not a directory`, { code: ErrorCode.INVALID_ROOT });
  return fs.realpathSync(root);
}

/** The guard's documentation as installed with the package (docs/doctor.md), as a file: URI. */
function docsUri(): string {
  return `file://${encodeURI(path.resolve(__dirname, '..', '..', 'docs', 'doctor.md'))}`;
}

const WRITTEN_BY = '# Written by "nic-offload guard --install".';

/** The unit file text. */
export function renderUnit(opts: InstallOptions = {}): string {
  const args = [opts.node ?? process.execPath, opts.script ?? path.join(__dirname, '..', 'cli', 'main.js'), 'guard'];
  for (const name of opts.interfaces ?? []) args.push(validateIfname(name));
  if (opts.netns) args.push('--netns', opts.netns);
  if (opts.backend) {
    if (opts.backend !== 'auto' && !(BACKEND_NAMES as readonly string[]).includes(opts.backend)) {
      throw new NicOffloadError(`unknown backend "${opts.backend}"; choose one of ${BACKEND_NAMES.join(', ')} or auto`, { code: ErrorCode.INVALID_BACKEND });
    }
    args.push('--backend', opts.backend);
  }
  if (opts.newOnly) args.push('--new-only');
  for (const a of args) {
    if (/[\n\r\0]/.test(a)) throw new NicOffloadError(`cannot put ${JSON.stringify(a)} in a unit file`, { code: ErrorCode.GUARD_INSTALL });
  }
  // systemd refuses an executable path with quotes or backslashes ("special characters").
  if (/["'\\]/.test(args[0])) {
    throw new NicOffloadError(`systemd cannot run a program whose path holds quotes or backslashes: ${args[0]}`, { code: ErrorCode.GUARD_INSTALL });
  }
  return [
    WRITTEN_BY,
    '# Undo: nic-offload guard --uninstall',
    '[Unit]',
    'Description=nic-offload guard: turn rx-checksum off when the kernel reports "hw csum failure"',
    `Documentation=man:nic-offload(1) ${docsUri()}`,
    '',
    '[Service]',
    'Type=simple',
    `ExecStart=${args.map((a, i) => systemdQuote(a, i === 0)).join(' ')}`,
    'Restart=on-failure',
    'RestartSec=5s',
    'NoNewPrivileges=yes',
    '',
    '[Install]',
    'WantedBy=multi-user.target',
    '',
  ].join('\n');
}

/** Writes and enables the unit under `root`. Idempotent; the symlink is replaced atomically. */
export function installGuard(opts: InstallOptions = {}): InstallResult {
  const root = checkRoot(opts.root ?? '/');
  const content = renderUnit(opts);
  const unit = `${UNIT_DIR}/${UNIT_NAME}`;
  const link = `${WANTS_DIR}/${UNIT_NAME}`;
  try {
    // Every path inside the root, a symlink at a target refused (persist's system files).
    const changed = readSystemFile(root, unit)?.toString('utf8') !== content;
    if (changed) writeSystemFile(root, unit, Buffer.from(content), 0o644);
    writeSystemLink(root, link, unit);
    return { unit, link, changed, content };
  } catch (e) {
    throw installError(e, root, 'install');
  }
}

export interface UninstallResult {
  /** Paths on the target system that were removed. */
  removed: string[];
  /** The running unit was stopped (only on this system's own root, with systemd running). */
  stopped: boolean;
  /** Why it was not stopped, when it was not. */
  note?: string;
}

/**
 * Undoes installGuard: stops the unit when it is this system's and systemd runs, then removes
 * the enabling symlink and the unit file (only if it is the one installGuard writes). Idempotent.
 */
export function uninstallGuard(opts: { root?: string } = {}): UninstallResult {
  const root = checkRoot(opts.root ?? '/');
  const unit = `${UNIT_DIR}/${UNIT_NAME}`;
  const link = `${WANTS_DIR}/${UNIT_NAME}`;
  const out: UninstallResult = { removed: [], stopped: false };
  try {
    const text = readSystemFile(root, unit)?.toString('utf8');
    if (text !== undefined && !text.startsWith(WRITTEN_BY)) {
      throw new NicOffloadError(`${unit} was not written by "nic-offload guard --install"; leaving it alone`, { code: ErrorCode.PERSIST_REFUSED });
    }
    if (root === '/' && fs.existsSync('/run/systemd/system')) {
      const r = spawnSync('systemctl', ['stop', UNIT_NAME], { encoding: 'utf8' });
      out.stopped = r.status === 0;
      if (!out.stopped) out.note = `systemctl stop ${UNIT_NAME} failed: ${(r.stderr || r.error?.message || '').trim()}`;
    } else {
      out.note = root === '/' ? 'systemd is not running here: nothing to stop' : `under ${root}: nothing is running there to stop`;
    }
    if (removeSystemLink(root, link)) out.removed.push(link);
    if (text !== undefined && removeSystemFile(root, unit)) out.removed.push(unit);
    if (out.stopped) spawnSync('systemctl', ['daemon-reload']);
    return out;
  } catch (e) {
    throw installError(e, root, 'uninstall');
  }
}

function installError(e: unknown, root: string, what: string): NicOffloadError {
  if (e instanceof NicOffloadError) return e;
  const err = e as NodeJS.ErrnoException;
  return new NicOffloadError(`cannot ${what} the guard unit under ${root}: ${err.message}`, { code: err.code ?? ErrorCode.GUARD_INSTALL });
}
