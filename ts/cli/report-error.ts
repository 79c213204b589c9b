// Errors leave the CLI as one line on stderr (or one JSON object with --json), never a stack
// trace unless NIC_OFFLOAD_DEBUG=1.
import { ErrorCode } from '../errors';
import type { CliIO } from './command';

/** A bad command line: exit status 1, like ethtool's "bad command line argument(s)". */
export class UsageError extends Error {
  code: string = ErrorCode.USAGE;
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export function reportError(e: unknown, io: CliIO, json: boolean): number {
  const err = e as { message?: string; code?: string; errno?: number; stack?: string; suggestions?: string[]; ifname?: string };
  const message = err && typeof err.message === 'string' ? err.message : String(e);
  if (json) {
    io.out(JSON.stringify({ error: { code: err?.code ?? 'ERR_UNKNOWN', message, errno: err?.errno, ifname: err?.ifname, suggestions: err?.suggestions } }) + '\n');
  } else {
    io.err(`nic-offload: ${message}\n`);
  }
  if (io.env.NIC_OFFLOAD_DEBUG === '1' && err?.stack) io.err(`${err.stack}\n`);
  return 1;
}
