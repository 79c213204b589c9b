// nic-offload doctor: find "hw csum failure" in the kernel log, explain it, and (--fix) fix it.
import { diagnose, fix, formatReport } from '../../doctor';
import { doctorExitStatus } from '../exit-status';
import { BACKEND_NAMES } from '../../persist/types';
import { backendOption } from '../options';
import { parseArgs } from '../args';
import type { CliIO, Command } from '../command';
import { UsageError } from '../report-error';

const HELP = `Usage: nic-offload doctor [--log FILE ...] [--journal[=PATH]] [--json]
                          [--fix [--dry-run] [--trust-log]] [--backend NAME] [--root DIR] [--netns NAME]

Looks for the kernel's "hw csum failure" reports (a NIC's receive checksum offload handing the
stack wrong sums: the Raspberry Pi smsc95xx/lan78xx/bcmgenet bug) and says, per interface: how
often and when, the driver, whether rx-checksum is still on, the fix (rx off; tx is not
implicated) and where it would be persisted here. A bridge or bond is mapped to its ports, a
VLAN or macvlan to the NIC below it.
Every kernel format is recognised: "eth0: hw csum failure" (<= 4.19), the "dev features:" lines
(4.20-5.3), skb_dump's "dev name=" line (5.4+, resolves "<unknown>" and "(NULL net_device)"),
and the "DRIVER BUS-ID eth0:" prefix (5.16+; printed once per boot since 5.14).
Changes nothing unless --fix is given.

Options:
  --log FILE     read a saved log instead of the kernel ring buffer (/dev/kmsg); repeat for
                 several; kern.log, messages, journalctl -k (text or -o json) or dmesg output,
                 "-" for stdin, FILE.gz is gunzipped
  --journal      read the kernel's records of every boot from the systemd journal (journalctl);
                 --journal=PATH reads a journal file or directory (a copied /var/log/journal).
                 Only records journald took from the kernel count, never lines sent with logger
  --json         print the report as JSON
  --fix          turn rx-checksum off on each implicated device and persist it; only on what
                 the kernel itself wrote (the ring buffer, the system journal) unless --trust-log
  --dry-run      with --fix: show what would change, change nothing
  --trust-log    with --fix: act on a --log file, stdin or --journal=PATH too. Such text can be
                 forged by whoever could write it (logger -t kernel lands in kern.log as kernel:)
  --backend NAME persist with this backend (${BACKEND_NAMES.join(', ')}); default: detected
  --root DIR     persistence files go under this prefix (an image being built)
  --netns NAME   the devices are in this network namespace

Exit status: 0 nothing found; 2 found and rx-checksum still on somewhere (or --fix failed);
3 found, and rx-checksum is off everywhere it matters (already, or by --fix); 4 found, nothing
implicated is on, but a device the kernel named is not here (its state is unknown); 1 error.

Examples:
  sudo nic-offload doctor
  nic-offload doctor --log /var/log/kern.log --log /var/log/kern.log.2.gz
  sudo nic-offload doctor --journal          # every boot the journal kept: after a hang
  journalctl -k -b -1 | nic-offload doctor --log -
  sudo nic-offload doctor --fix
`;

/** Pulls every "--log FILE" / "--log=FILE" and "--journal[=PATH]" out (the shared parser keeps
 *  one value per option and has no optional values). */
function takeLogs(argv: string[]): { logs: string[]; journal?: true | string; rest: string[] } {
  const logs: string[] = [];
  const rest: string[] = [];
  let journal: true | string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--') {
      rest.push(...argv.slice(i));
      break;
    }
    if (a === '--log') {
      const v = argv[++i];
      if (v === undefined || v === '' || (v.startsWith('--') && v !== '-')) throw new UsageError('doctor: --log needs a file name ("-" for stdin)');
      logs.push(v);
    } else if (a.startsWith('--log=')) {
      if (a === '--log=') throw new UsageError('doctor: --log needs a file name ("-" for stdin)');
      logs.push(a.slice(6));
    } else if (a === '--journal' || a.startsWith('--journal=')) {
      if (journal !== undefined) throw new UsageError('doctor: --journal is given twice');
      journal = a === '--journal' ? true : a.slice(10);
      if (!journal) throw new UsageError('doctor: --journal= needs a journal file or directory');
    } else {
      rest.push(a);
    }
  }
  return { logs, journal, rest };
}

async function run(argv: string[], io: CliIO): Promise<number> {
  const { logs, journal, rest } = takeLogs(argv);
  const args = parseArgs('doctor', rest, { flags: ['json', 'fix', 'dry-run', 'trust-log'], options: ['backend', 'root', 'netns'] });
  if (args.positionals.length) {
    const hint = journal === true ? '; a journal path goes as --journal=PATH' : '; logs are given with --log FILE';
    throw new UsageError(`doctor: unexpected argument "${args.positionals[0]}"${hint}`);
  }
  if (args.flags.has('dry-run') && !args.flags.has('fix')) throw new UsageError('doctor: --dry-run goes with --fix');
  if (args.flags.has('trust-log') && !args.flags.has('fix')) throw new UsageError('doctor: --trust-log goes with --fix');
  const opts = {
    logs,
    journal,
    netns: args.options.get('netns'),
    root: args.options.get('root'),
    backend: backendOption('doctor', args.options.get('backend')),
    stdin: io.stdin,
  };
  let report = await diagnose(opts);
  if (args.flags.has('fix') && report.found) {
    report = await fix(report, { ...opts, dryRun: args.flags.has('dry-run'), trustLog: args.flags.has('trust-log') });
  }
  io.out(args.flags.has('json') ? `${JSON.stringify(report, null, 2)}\n` : formatReport(report));
  return doctorExitStatus(report);
}

const doctor: Command = {
  name: 'doctor',
  summary: 'find "hw csum failure" in the kernel log, explain it, fix it',
  help: HELP,
  run,
};
// Loaded by name through cli/registry.ts.
// ts-unused-exports:disable-next-line
export default doctor;
