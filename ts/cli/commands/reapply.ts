// nic-offload reapply: set what persist recorded for IFACE (the udev fallback rule runs this).
import { reapply } from '../../persist';
import { parseArgs } from '../args';
import type { CliIO, Command } from '../command';
import { UsageError } from '../report-error';

const HELP = `Usage: nic-offload reapply IFACE [--root DIR] [--netns NAME] [--json]

Sets the offload features recorded for IFACE in /var/lib/nic-offload/persisted.json. The udev
rule of the udev backend runs it when IFACE is added. Does nothing when nothing is recorded.
`;

async function run(argv: string[], io: CliIO): Promise<number> {
  const args = parseArgs('reapply', argv, { flags: ['json'], options: ['netns', 'root'] });
  const [ifname, ...extra] = args.positionals;
  if (ifname === undefined || extra.length) throw new UsageError('reapply: give one interface, e.g. "nic-offload reapply eth0"');
  const result = await reapply(ifname, { root: args.options.get('root'), netns: args.options.get('netns') });
  if (args.flags.has('json')) io.out(`${JSON.stringify(result ?? null, null, 2)}\n`);
  else if (!result) io.out(`${ifname}: nothing recorded\n`);
  return result && result.couldNotChange ? 1 : 0;
}

const command: Command = { name: 'reapply', summary: 'set the persisted offload settings of an interface again', help: HELP, run };
// Loaded by name through cli/registry.ts.
// ts-unused-exports:disable-next-line
export default command;
