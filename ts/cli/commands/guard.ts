// nic-offload guard: watch the kernel log and turn rx-checksum off the first time a watched
// interface gets "hw csum failure"; --install writes the systemd service that runs it at boot.
import { installGuard, startGuard, uninstallGuard } from '../../doctor';
import { parseArgs } from '../args';
import type { CliIO, Command } from '../command';
import { backendOption } from '../options';
import { UsageError } from '../report-error';

const HELP = `Usage: nic-offload guard [IFACE...] [--dry-run] [--new-only] [--backend NAME] [--root DIR]
                         [--netns NAME] [--kmsg PATH]
       nic-offload guard --install [IFACE...] [--root DIR] [--backend NAME] [--netns NAME]
       nic-offload guard --uninstall [--root DIR]

Watches the kernel log (/dev/kmsg) until stopped, sleeping until the kernel writes a record.
The first time the kernel reports "hw csum failure" for a watched interface (default: all; a
bridge or bond means its ports; a report on a VLAN or macvlan counts for the NIC below it), it
turns rx-checksum off live, persists that, and logs one line saying what it did and why. Each
interface is handled once. Only records the kernel wrote count: lines user space writes into
/dev/kmsg cannot trigger it. What the ring buffer already holds counts too (kernels since 5.14
print the failure once per boot, maybe before the guard started), unless --new-only.

Options:
  --dry-run      log what would be done, change nothing
  --new-only     ignore what was in the ring buffer when the guard started
  --backend NAME persistence backend (default: detected per interface)
  --root DIR     persistence files (and, with --install, the unit) go under this prefix
  --netns NAME   the devices are in this network namespace
  --kmsg PATH    read records from PATH instead of /dev/kmsg (a FIFO, for tests)
  --install      write and enable /etc/systemd/system/nic-offload-guard.service (under --root)
                 running "nic-offload guard" with the given interfaces and options
  --uninstall    stop the unit (on this system, when systemd runs) and remove what --install
                 wrote

Exit status: 0 when stopped by SIGINT/SIGTERM or after --install/--uninstall; 1 on error.

Examples:
  sudo nic-offload guard eth0
  sudo nic-offload guard --install eth0 && sudo systemctl start nic-offload-guard
`;

async function run(argv: string[], io: CliIO): Promise<number> {
  const args = parseArgs('guard', argv, {
    flags: ['dry-run', 'new-only', 'install', 'uninstall'],
    options: ['backend', 'root', 'netns', 'kmsg'],
  });
  const backend = backendOption('guard', args.options.get('backend'));
  const netns = args.options.get('netns');
  const root = args.options.get('root');
  if (args.flags.has('uninstall')) {
    if (args.flags.has('install') || args.positionals.length) throw new UsageError('guard: --uninstall takes only --root');
    const r = uninstallGuard({ root });
    io.out(r.removed.length ? `removed ${r.removed.join(', ')}${root ? ` (under ${root})` : ''}\n` : 'nothing to remove: the guard unit is not installed\n');
    io.out(r.stopped ? 'stopped nic-offload-guard.service\n' : `not stopped: ${r.note}\n`);
    return 0;
  }
  if (args.flags.has('install')) {
    const r = installGuard({ root, interfaces: args.positionals, netns, backend, newOnly: args.flags.has('new-only') });
    io.out(`${r.changed ? 'wrote' : 'unchanged:'} ${r.unit}; enabled through ${r.link}${root ? ` (under ${root})` : ''}\n`);
    if (!root || root === '/') io.out('start it now with: systemctl daemon-reload && systemctl start nic-offload-guard\n');
    return 0;
  }
  const guard = startGuard({
    interfaces: args.positionals,
    dryRun: args.flags.has('dry-run'),
    newOnly: args.flags.has('new-only'),
    kmsgPath: args.options.get('kmsg'),
    backend,
    netns,
    root,
  });
  const what = args.positionals.length ? args.positionals.join(', ') : 'every interface';
  io.out(`nic-offload guard: watching ${guard.watcher.path} for "hw csum failure" on ${what}${args.flags.has('dry-run') ? ' (dry run)' : ''}\n`);
  // A runtime error ends the guard and goes out through main's one error path, like any other.
  return await new Promise<number>((resolve, reject) => {
    const stop = (): void => guard.close();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    guard.on('action', (a: { message: string; error?: unknown }) => (a.error ? io.err : io.out)(`nic-offload guard: ${a.message}\n`));
    guard.on('notice', (n: { message: string }) => io.out(`nic-offload guard: ${n.message}\n`));
    guard.on('error', (e: unknown) => {
      guard.close();
      reject(e);
    });
    guard.on('close', () => {
      process.removeListener('SIGINT', stop);
      process.removeListener('SIGTERM', stop);
      void guard.idle().then(() => resolve(0));
    });
  });
}

const guard: Command = {
  name: 'guard',
  summary: 'watch the kernel log; turn rx-checksum off on "hw csum failure"',
  help: HELP,
  run,
};
// Loaded by name through cli/registry.ts.
// ts-unused-exports:disable-next-line
export default guard;
