// nic-offload unpersist: remove recorded settings (all, or some), restoring the files exactly.
import { formatPersistResult, unpersist } from '../../persist';
import { parseArgs } from '../args';
import type { CliIO, Command } from '../command';
import { UsageError } from '../report-error';

const HELP = `Usage: nic-offload unpersist IFACE [NAME...] [--root DIR] [--dry-run] [--json]

Removes what "nic-offload persist" recorded for IFACE: the NAMEs given, or everything. Files the
package wrote are deleted; edited profiles get back exactly the bytes they had. The device keeps
its current settings (use "nic-offload set" to change them now).

Options:
  --root DIR     the system under DIR (a mounted image)
  --dry-run      print the unified diff of every file that would change; change nothing
  --netns NAME   the device is in this network namespace (only used to identify it)
  --json         print the result as JSON

Examples:
  nic-offload unpersist eth0          # everything recorded for eth0
  nic-offload unpersist eth0 tx       # keep rx off, forget tx
`;

async function run(argv: string[], io: CliIO): Promise<number> {
  const args = parseArgs('unpersist', argv, { flags: ['json', 'dry-run'], options: ['netns', 'root'] });
  const [ifname, ...names] = args.positionals;
  if (ifname === undefined) throw new UsageError('unpersist: give an interface, e.g. "nic-offload unpersist eth0"');
  const result = await unpersist(ifname, names, { netns: args.options.get('netns'), root: args.options.get('root'), dryRun: args.flags.has('dry-run') });
  io.out(args.flags.has('json') ? `${JSON.stringify(result, null, 2)}\n` : formatPersistResult(result, 'unpersist'));
  return 0;
}

const command: Command = { name: 'unpersist', summary: 'forget persisted offload settings (restores the files exactly)', help: HELP, run };
// Loaded by name through cli/registry.ts.
// ts-unused-exports:disable-next-line
export default command;
