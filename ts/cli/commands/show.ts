// Placeholder until the CLI issue lands: see issue 3.
import type { Command } from '../command';
import { UsageError } from '../report-error';

const show: Command = {
  name: 'show',
  summary: 'show offload features, like ethtool -k',
  help: 'Usage: nic-offload show [IFACE...] [--netns NAME] [--json] [--changeable]\n',
  run() {
    throw new UsageError('show is not implemented yet');
  },
};
export default show;
