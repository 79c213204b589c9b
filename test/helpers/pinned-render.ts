// Kernel-log renderings by the real tools at a date, time zone and locale we choose, so no test
// depends on the day it runs, the host's boot time, its TZ or its LANG.
//
// dmesg -F FILE puts a record at (boot time + its uptime), and takes the boot time as
// now - CLOCK_BOOTTIME. libfaketime (Debian package faketime) shifts "now" by an offset; with
// FAKETIME_DONT_FAKE_MONOTONIC=1 it leaves CLOCK_BOOTTIME alone (faking it too makes the boot
// time the epoch), so an offset of (wanted boot - the host's boot) pins the boot time whatever
// the host's is. dmesg adds the whole seconds of the boot time to a record's own seconds and
// microseconds, so any boot in [T, T+1) prints the same; /proc/uptime has centiseconds, so the
// boot is put at T + 0.5, where that error cannot move it out of the second. Locales are
// compiled with localedef into a private LOCPATH (sources from the Debian package locales), so
// nothing is installed or changed on the machine.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

export interface Pin {
  /** Wall-clock boot time in `tz`, "YYYY-MM-DD HH:MM:SS". */
  boot: string;
  /** An IANA zone, e.g. "Asia/Kolkata". */
  tz: string;
  /** A locale name such as "de_DE.UTF-8", or "C". */
  locale: string;
  /** The locale's names but no translated formats, as without Debian's util-linux-locales
   *  (LANGUAGE names a language no catalogue has, so gettext keeps the English format). */
  untranslated?: boolean;
}

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv, input?: string): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8', env, input });
  if (r.error) throw r.error;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}): ${r.stderr}`);
  return r.stdout;
}

let locpath: string | undefined;
const LOCALES: Array<[string, string]> = [
  ['de_DE', 'de_DE.UTF-8'],
  ['fr_FR', 'fr_FR.UTF-8'],
  ['ja_JP', 'ja_JP.UTF-8'],
];

/**
 * A LOCPATH holding the locales the tests use, compiled once per machine into the test cache
 * ($NIC_OFFLOAD_TEST_CACHE, default ~/.cache/nic-offload-test, as the VM images).
 */
export function localePath(): string {
  if (locpath) return locpath;
  const cache = process.env.NIC_OFFLOAD_TEST_CACHE || path.join(os.homedir(), '.cache', 'nic-offload-test');
  const dir = path.join(cache, 'locales');
  fs.mkdirSync(dir, { recursive: true });
  for (const [src, name] of LOCALES) {
    const out = path.join(dir, name);
    if (fs.existsSync(path.join(out, 'LC_TIME'))) continue;
    // Into a temporary name first, so a run killed midway leaves no half-made locale behind.
    const tmp = fs.mkdtempSync(path.join(dir, `.${name}-`));
    run('localedef', ['-i', src, '-f', 'UTF-8', tmp], process.env);
    fs.rmSync(out, { recursive: true, force: true });
    fs.renameSync(tmp, out);
  }
  locpath = dir;
  return dir;
}

/** The environment a tool of the pinned machine runs with (no LANGUAGE or LC_* of ours leaks in). */
export function pinnedEnv(pin: Pin): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, TZ: pin.tz, LC_ALL: pin.locale };
  if (pin.locale !== 'C') env.LOCPATH = localePath();
  if (pin.untranslated) env.LANGUAGE = 'xx';
  return env;
}

/** Seconds since the epoch of the pinned boot (date(1) does the zone arithmetic). */
export function bootEpoch(pin: Pin): number {
  return Number(run('date', ['-d', pin.boot, '+%s'], { PATH: process.env.PATH, TZ: pin.tz }).trim());
}

/** Where in the pinned second the boot is put (see above). */
const BOOT_FRACTION = 0.5;

let libfaketime: string | undefined;
function faketimeLibrary(): string {
  if (libfaketime) return libfaketime;
  for (const dir of fs.readdirSync('/usr/lib')) {
    const f = path.join('/usr/lib', dir, 'faketime', 'libfaketime.so.1');
    if (fs.existsSync(f)) return (libfaketime = f);
  }
  throw new Error('libfaketime.so.1 not found under /usr/lib/*/faketime: install the Debian package faketime');
}

// The offset is worked out by a shell in the child, from the real clock: if the whole test run
// is itself under faketime (to prove it passes on any day), this process's clock is fake, and
// the child, started without that LD_PRELOAD, would be off by the outer fake's offset.
// awk runs in the C locale: in de_DE its printf writes "+12,345", which libfaketime reads as +12.
const PINNED_DMESG = `
off=$(LC_ALL=C awk -v want="$WANT_BOOT" -v now="$(date +%s.%N)" '{ printf "%+.3f", want - (now - $1) }' /proc/uptime)
FAKETIME="$off" FAKETIME_DONT_FAKE_MONOTONIC=1 LD_PRELOAD="$LIBFAKETIME" exec dmesg "$@"
`;

/** What `dmesg -F FILE ARGS` prints on the pinned machine. */
export function pinnedDmesg(file: string, args: string[], pin: Pin): string {
  const env = { ...pinnedEnv(pin), LIBFAKETIME: faketimeLibrary(), WANT_BOOT: String(bootEpoch(pin) + BOOT_FRACTION) };
  return run('sh', ['-ec', PINNED_DMESG, 'pinned-dmesg', '-F', file, ...args], env);
}

/** What `journalctl --file FILE -o OUTPUT` prints on the pinned machine (the journal holds the dates). */
export function pinnedJournalctl(file: string, output: string, pin: Pin): string {
  return run('journalctl', [`--file=${path.resolve(file)}`, `--output=${output}`, '--no-pager', '--quiet'], pinnedEnv(pin));
}

/** strftime(3) of the pinned machine at `epoch` seconds: the oracle for a stamp's text. */
export function strftime(format: string, epoch: number, pin: Pin): string {
  return run('date', ['-d', `@${epoch}`, `+${format}`], pinnedEnv(pin)).replace(/\n$/, '');
}

/** Runs `fn` with TZ and LC_ALL of the pinned machine, as the doctor run there would see them. */
export async function withPinnedProcess<T>(pin: Pin, fn: () => T | Promise<T>): Promise<T> {
  const saved = { TZ: process.env.TZ, LC_ALL: process.env.LC_ALL };
  process.env.TZ = pin.tz;
  process.env.LC_ALL = pin.locale;
  try {
    return await fn();
  } finally {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}
