#!/usr/bin/env node
// nic-offload: the command-line shell over the public API.
import type { CliIO, Command } from './command';
import { wantsJson } from './options';
import { COMMANDS, ETHTOOL_VERBS, loadCommand } from './registry';
import { reportError, UsageError } from './report-error';

function version(): string {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (require('../../package.json') as { version: string }).version;
}

/** The top-level usage text (also the man page's synopsis: scripts/man.js). */
// ts-unused-exports:disable-next-line
export function usage(): string {
  const lines = Object.entries(COMMANDS).map(([name, e]) => `  ${name.padEnd(11)} ${e.summary}`);
  return [
    'Usage: nic-offload COMMAND [ARGS...] [--netns NAME] [--json]',
    '',
    'Read and change NIC offload features (like ethtool -k / -K), and make them persist.',
    '',
    'Commands:',
    ...lines,
    '',
    'ethtool spellings work too: -k/--show-features/--show-offload IFACE (show), -K/--features/',
    '--offload IFACE NAME on|off ... (set), -i/--driver IFACE (info).',
    '',
    'Run "nic-offload help COMMAND" for details and examples.',
    'Example (the Raspberry Pi "hw csum failure" fix): nic-offload persist eth0 rx off',
    '',
  ].join('\n');
}

/**
 * Runs one command. Every error a command throws ends here: one line on stderr (one JSON object
 * on stdout with --json), and the command's exitStatus hook picks the status (default 1).
 */
export async function main(argv: string[], io: CliIO): Promise<number> {
  const json = wantsJson(argv);
  let command: Command | undefined;
  try {
    const [given, ...rest] = argv;
    // Usage asked for goes to stdout; usage printed because the command line is wrong, to stderr.
    if (given === undefined) {
      io.err(usage());
      return 1;
    }
    if (given === '--help' || given === '-h') {
      io.out(usage());
      return 0;
    }
    const first = Object.prototype.hasOwnProperty.call(ETHTOOL_VERBS, given) ? ETHTOOL_VERBS[given] : given;
    if (first === '--version' || first === '-V') {
      io.out(`${version()}\n`);
      return 0;
    }
    if (first === 'help') {
      if (rest.length === 0) {
        io.out(usage());
        return 0;
      }
      const cmd = loadCommand(rest[0]);
      if (!cmd) throw new UsageError(`unknown command "${rest[0]}"; run "nic-offload --help"`);
      io.out(cmd.help);
      return 0;
    }
    const cmd = loadCommand(first);
    if (!cmd) throw new UsageError(`unknown command "${first}"; run "nic-offload --help"`);
    command = cmd;
    // --help anywhere before "--"; -h only right after the command (elsewhere it is an argument).
    const ddash = rest.indexOf('--');
    if ((ddash < 0 ? rest : rest.slice(0, ddash)).includes('--help') || rest[0] === '-h') {
      io.out(cmd.help);
      return 0;
    }
    return await cmd.run(rest, io);
  } catch (e) {
    reportError(e, io, json);
    return command?.exitStatus ? command.exitStatus(e) : 1;
  }
}

function processIO(): CliIO {
  return {
    out: (t) => process.stdout.write(t),
    err: (t) => process.stderr.write(t),
    env: process.env,
    isTTY: process.stdout.isTTY === true,
    // A getter: touching process.stdin sets up a stream (about 4 ms); only commands reading "-" need it.
    get stdin() {
      return process.stdin;
    },
  };
}

if (require.main === module) {
  // `nic-offload show | head`: the reader went away. ethtool dies of SIGPIPE (status 141);
  // Node ignores SIGPIPE and would throw EPIPE with a stack trace instead.
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code !== 'EPIPE') throw e;
    process.exit(141);
  });
  main(process.argv.slice(2), processIO()).then(
    (code) => {
      process.exitCode = code;
    },
    (e) => {
      process.stderr.write(`nic-offload: ${(e as Error).message}\n`);
      process.exitCode = 1;
    },
  );
}
