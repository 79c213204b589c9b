// `nic-offload guard --install`: a systemd service that runs the guard from boot on, written
// under a root prefix and enabled the way `systemctl enable` does it (a symlink in
// multi-user.target.wants/), both replaced atomically.
import * as fs from 'fs';
import * as path from 'path';
import { ErrorCode, NicOffloadError } from '../errors';
import { ensureDir, writeFileAtomic } from '../persist';
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
    '# Written by "nic-offload guard --install".',
    '# Undo: systemctl disable --now nic-offload-guard.service && rm /etc/systemd/system/nic-offload-guard.service',
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
  const unitPath = path.join(root, UNIT_DIR, UNIT_NAME);
  let before: string | undefined;
  try {
    before = fs.readFileSync(unitPath, 'utf8');
  } catch {
    before = undefined;
  }
  const changed = before !== content;
  try {
    if (changed) writeFileAtomic(unitPath, Buffer.from(content), 0o644);
    const linkPath = path.join(root, WANTS_DIR, UNIT_NAME);
    const target = `${UNIT_DIR}/${UNIT_NAME}`;
    let current: string | undefined;
    try {
      current = fs.readlinkSync(linkPath);
    } catch {
      current = undefined;
    }
    if (current !== target) {
      ensureDir(path.dirname(linkPath));
      const tmp = path.join(path.dirname(linkPath), `.${UNIT_NAME}.${process.pid}.tmp`);
      fs.rmSync(tmp, { force: true });
      fs.symlinkSync(target, tmp);
      fs.renameSync(tmp, linkPath);
    }
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    throw new NicOffloadError(`cannot install the guard unit under ${root}: ${err.message}`, { code: err.code ?? ErrorCode.GUARD_INSTALL });
  }
  return { unit: `${UNIT_DIR}/${UNIT_NAME}`, link: `${WANTS_DIR}/${UNIT_NAME}`, changed, content };
}
