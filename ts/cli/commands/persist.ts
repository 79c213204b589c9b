// nic-offload persist: apply offload settings live and record them for boot and re-plug.
import { getFeatureNames } from '../../core';
import { changesFromEthtoolArgs } from '../ethtool-args';
import { formatSetReport } from '../set-report';
import { formatPersistResult, persist } from '../../persist';
import { parseArgs } from '../args';
import type { CliIO, Command } from '../command';
import { backendOption, pairsFrom } from '../options';
import { UsageError } from '../report-error';

const HELP = `Usage: nic-offload persist IFACE NAME on|off [NAME on|off ...] [--backend B] [--root DIR]
                           [--no-apply] [--dry-run] [--netns NAME] [--json]

Sets the features now (like "nic-offload set") and records them where the system applies them
again at boot and when the device is re-plugged. Settings add up: a later persist of other
features keeps the earlier ones; persisting the same thing twice writes nothing.

Backends (--backend, default auto: detected, and the choice and reason are printed):
  networkmanager  [ethtool] feature-NAME= keys of the NetworkManager profile for IFACE
  ifupdown        /etc/network/interfaces.d/IFACE: allow-hotplug + "iface IFACE inet manual"
                  with offload-NAME on|off (Debian's ethtool hook); never where NM manages IFACE
  systemd-link    /etc/systemd/network/10-nic-offload-IFACE.link, applied by systemd-udevd
                  (only rx tx tso gso gro lro rxvlan txvlan ntuple and a few kernel names)
  udev            /etc/udev/rules.d/90-nic-offload-IFACE.rules runs "nic-offload reapply IFACE"

Options:
  --backend B    auto (default), networkmanager, ifupdown, systemd-link or udev
  --root DIR     read and write the system under DIR (a mounted image); detection looks there
  --no-apply     only record; do not change the device now (with --root: it may be absent)
  --dry-run      print the unified diff of every file that would change; change nothing
  --netns NAME   the device is in this network namespace
  --json         print the result as JSON

Examples:
  nic-offload persist eth0 rx off               # Raspberry Pi: stop "eth0: hw csum failure"
  nic-offload persist eth0 rx off --dry-run
  nic-offload persist eth0 rx off --root /mnt/rpi --no-apply    # into a Pi OS image
  nic-offload persist eth0 gro off --backend udev
`;

async function run(argv: string[], io: CliIO): Promise<number> {
  const args = parseArgs('persist', argv, { flags: ['json', 'no-apply', 'dry-run'], options: ['netns', 'root', 'backend'] });
  const [ifname, ...rest] = args.positionals;
  if (ifname === undefined) throw new UsageError('persist: give an interface and NAME on|off pairs, e.g. "nic-offload persist eth0 rx off"');
  const netns = args.options.get('netns');
  // Object keys keep their order: the "off" mentions first, then the "on" ones (ethtool -K semantics).
  const result = await persist(ifname, Object.fromEntries(changesFromEthtoolArgs(pairsFrom('persist', rest))), {
    netns,
    root: args.options.get('root'),
    backend: backendOption('persist', args.options.get('backend')) ?? 'auto',
    apply: !args.flags.has('no-apply'),
    dryRun: args.flags.has('dry-run'),
  });
  if (args.flags.has('json')) {
    io.out(`${JSON.stringify(result, null, 2)}\n`);
    return 0;
  }
  let status = 0;
  if (result.applied && !result.dryRun) {
    const live = formatSetReport(result.applied, getFeatureNames(ifname, { netns }));
    io.out(live.stdout);
    io.err(live.stderr);
    status = live.status;
  }
  io.out(formatPersistResult(result, 'persist'));
  return status;
}

const command: Command = { name: 'persist', summary: 'set offload features and keep them across reboot and re-plug', help: HELP, run };
// Loaded by name through cli/registry.ts.
// ts-unused-exports:disable-next-line
export default command;
