// nic-offload set: `ethtool -K` through the public API, plus --check (plan only) and --json.
import { getFeatureNames, setFeatures } from '../../core';
import { colourize, colourWanted } from '../colour';
import { changesFromEthtoolArgs } from '../ethtool-args';
import { errorExitStatus } from '../exit-status';
import { checkStatus, CommandOutput, formatCheckReport, formatSetReport, setReportJson, setStatus } from '../set-report';
import { parseArgs } from '../args';
import type { CliIO, Command } from '../command';
import { pairsFrom } from '../options';
import { UsageError } from '../report-error';

const HELP = `Usage: nic-offload set IFACE NAME on|off [NAME on|off ...] [--netns NAME] [--check] [--json]

Change offload features like "ethtool -K IFACE NAME on|off ...". NAME is a kernel feature name
(tx-checksum-ip-generic, rx-gro-hw, ...) or one of ethtool's legacy names, short or long (rx, tx,
sg, tso, gso, gro, lro, rxvlan, txvlan, ntuple, rxhash, or rx-checksumming, ...), which stands
for every feature it covers. All of it goes to the
kernel in one request; a request already in effect sends nothing. Needs CAP_NET_ADMIN.
As with ethtool -K, a feature named more than once (directly or through a legacy name) ends up
on if any mention says on: "tso on tx-tcp6-segmentation off" leaves tx-tcp6-segmentation on.

Output, as ethtool -K prints it: nothing when everything took effect as asked; otherwise
"Actual changes:" and the features that changed or did not, flat in kernel order, marked
[requested on|off] (asked for, did not happen) or [not requested] (the kernel changed it too).

Options:
  --netns NAME   act inside a network namespace (a name from "ip netns list" or a path)
  --check        change nothing; print what would change and say so in the exit status
  --json         print one JSON object: interface, changed, requested (asked/before/after per
                 feature), changes (asked/before/after; asked is null for side effects), unmet

Exit status:
  0   done (something may not have taken effect: see "Actual changes:")
  1   nothing asked for took effect ("Could not change any device features"), or bad arguments
  92  the kernel refused: no such interface, no privilege, unknown feature name (as ethtool -K)
  With --check: 0 already in effect, 2 set would change the device, 1 none of it can take effect.

Examples:
  nic-offload set eth0 rx off                 # Raspberry Pi: stop "eth0: hw csum failure"
  nic-offload set eth0 gro off lro off
  nic-offload set eth0 tso off tx-tcp6-segmentation on   # TSO for IPv6 only
  nic-offload set eth0 rx off --check; echo $?   # 2: would change, 0: already off
  if nic-offload set eth0 gro off --check >/dev/null; then echo "gro is already off"; fi
  nic-offload set eth0 gro off --json | jq .changed
`;

function emit(io: CliIO, o: CommandOutput): number {
  if (o.stdout) io.out(colourWanted(io) ? colourize(o.stdout) : o.stdout);
  if (o.stderr) io.err(o.stderr);
  return o.status;
}

async function run(argv: string[], io: CliIO): Promise<number> {
  const args = parseArgs('set', argv, { flags: ['json', 'check'], options: ['netns'] });
  const [ifname, ...pairs] = args.positionals;
  if (ifname === undefined || pairs.length === 0) {
    throw new UsageError('set: give an interface and NAME on|off pairs, e.g. "nic-offload set eth0 rx off gro off"');
  }
  const changes = changesFromEthtoolArgs(pairsFrom('set', pairs));
  const netns = args.options.get('netns');
  const check = args.flags.has('check');
  const result = await setFeatures(ifname, changes, { netns, dryRun: check });
  if (args.flags.has('json')) {
    io.out(`${JSON.stringify(setReportJson(result), null, 2)}\n`);
    return check ? checkStatus(result) : setStatus(result);
  }
  if (check) return emit(io, formatCheckReport(result));
  return emit(io, formatSetReport(result, getFeatureNames(ifname, { netns })));
}

const set: Command = {
  name: 'set',
  summary: 'change offload features, like ethtool -K',
  help: HELP,
  run,
  exitStatus: (e) => errorExitStatus(e, 'set'),
};
// Loaded by name through cli/registry.ts.
// ts-unused-exports:disable-next-line
export default set;
