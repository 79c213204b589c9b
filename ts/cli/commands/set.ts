// Placeholder until the CLI issue lands: see issue 3.
import type { Command } from '../command';
import { UsageError } from '../report-error';

const set: Command = {
  name: 'set',
  summary: 'set offload features, like ethtool -K',
  help: 'Usage: nic-offload set IFACE NAME on|off ...\n',
  run() {
    throw new UsageError('set is not implemented yet');
  },
};
export default set;
