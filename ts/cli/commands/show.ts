// nic-offload show: `ethtool -k` (and `ethtool --json -k`) through the public API.
import { getFeatures, listInterfaces } from '../../core';
import { colourize, colourWanted } from '../colour';
import { errorExitStatus, ExitStatus } from '../exit-status';
import { formatFeaturesJson } from '../../format/features-json';
import { formatFeaturesText, formatFeaturesTextList } from '../../format/features-text';
import type { Features } from '../../core';
import { parseArgs } from '../args';
import type { CliIO, Command } from '../command';

const HELP = `Usage: nic-offload show [IFACE...] [--netns NAME] [--json] [--changeable]

Show the offload features of IFACE exactly as "ethtool -k IFACE" prints them (header, legacy
groups such as tx-checksumming with their members indented, [fixed], [requested on|off]).
Without IFACE: every interface, each preceded by a blank line, as "ethtool -k '*'" prints them.
Reading needs no privilege (entering another namespace with --netns does).

Options:
  --netns NAME   act inside a network namespace (a name from "ip netns list" or a path)
  --json         print what "ethtool --json -k IFACE" prints
  --changeable   leave out what cannot be changed: [fixed] features, and group headings
                 with no changeable member (the "ethtool -k eth0 | grep -v fixed" habit)

Exit status: 0 on success, 1 on error (for example, no such interface).

Examples:
  nic-offload show eth0
  nic-offload show eth0 --changeable
  nic-offload show --json | jq '.[] | {ifname, gro: ."generic-receive-offload".active}'
  sudo nic-offload show --netns blue
`;

interface Device {
  ifname: string;
  features: Features;
}

function readAll(netns: string | undefined): Device[] {
  const out: Device[] = [];
  for (const ifname of listInterfaces({ netns })) {
    try {
      out.push({ ifname, features: getFeatures(ifname, { netns }) });
    } catch (e) {
      // Gone between the listing and the read: a dump does not show it either.
      if ((e as { code?: string }).code !== 'ENODEV') throw e;
    }
  }
  return out;
}

function run(argv: string[], io: CliIO): number {
  const args = parseArgs('show', argv, { flags: ['json', 'changeable'], options: ['netns'] });
  const netns = args.options.get('netns');
  const opts = { changeable: args.flags.has('changeable') };
  const devices = args.positionals.length
    ? args.positionals.map((ifname) => ({ ifname, features: getFeatures(ifname, { netns }) }))
    : readAll(netns);
  if (args.flags.has('json')) {
    io.out(formatFeaturesJson(devices, opts));
    return ExitStatus.OK;
  }
  const text =
    args.positionals.length === 1 ? formatFeaturesText(devices[0].ifname, devices[0].features, opts) : formatFeaturesTextList(devices, opts);
  io.out(colourWanted(io) ? colourize(text) : text);
  return ExitStatus.OK;
}

const show: Command = {
  name: 'show',
  summary: 'show offload features, like ethtool -k',
  help: HELP,
  run,
  exitStatus: (e) => errorExitStatus(e, 'show'),
};
// Loaded by name through cli/registry.ts.
// ts-unused-exports:disable-next-line
export default show;
