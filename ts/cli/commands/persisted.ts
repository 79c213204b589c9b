// nic-offload persisted: what is recorded, per interface.
import { formatPersisted, listPersisted } from '../../persist';
import { parseArgs } from '../args';
import type { CliIO, Command } from '../command';
import { UsageError } from '../report-error';

const HELP = `Usage: nic-offload persisted [IFACE] [--root DIR] [--json]

Lists the offload settings "nic-offload persist" recorded, with the backend and files holding them.

Examples:
  nic-offload persisted
  nic-offload persisted eth0 --json
  nic-offload persisted --root /mnt/rpi
`;

function run(argv: string[], io: CliIO): number {
  const args = parseArgs('persisted', argv, { flags: ['json'], options: ['root'] });
  if (args.positionals.length > 1) throw new UsageError('persisted: give at most one interface');
  const entries = listPersisted({ root: args.options.get('root'), ifname: args.positionals[0] });
  io.out(args.flags.has('json') ? `${JSON.stringify(entries, null, 2)}\n` : formatPersisted(entries));
  return 0;
}

const command: Command = { name: 'persisted', summary: 'list persisted offload settings', help: HELP, run };
// Loaded by name through cli/registry.ts.
// ts-unused-exports:disable-next-line
export default command;
