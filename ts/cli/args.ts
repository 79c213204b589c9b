// A small argument parser shared by commands: positionals, boolean `--flag`s, and `--opt VALUE`
// (or `--opt=VALUE`). `--` ends the options. Anything else starting with `--` is a usage error.
import { UsageError } from './report-error';

export interface ArgSpec {
  /** Boolean flags, without the dashes: ['json', 'check']. */
  flags?: readonly string[];
  /** Options taking a value: ['netns', 'root']. */
  options?: readonly string[];
}

export interface ParsedArgs {
  positionals: string[];
  flags: Set<string>;
  options: Map<string, string>;
}

export function parseArgs(command: string, argv: readonly string[], spec: ArgSpec): ParsedArgs {
  const flags = new Set<string>();
  const options = new Map<string, string>();
  const positionals: string[] = [];
  const knownFlags = new Set(spec.flags ?? []);
  const knownOptions = new Set(spec.options ?? []);
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (!arg.startsWith('--') || arg.length === 2) {
      positionals.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = arg.slice(2, eq < 0 ? undefined : eq);
    if (knownOptions.has(name)) {
      const value = eq < 0 ? argv[++i] : arg.slice(eq + 1);
      if (value === undefined || (eq < 0 && value.startsWith('--'))) {
        throw new UsageError(`${command}: --${name} needs a value; run "nic-offload help ${command}"`);
      }
      options.set(name, value);
    } else if (knownFlags.has(name) && eq < 0) {
      flags.add(name);
    } else {
      const known = [...knownFlags, ...knownOptions].map((n) => `--${n}`).join(', ');
      throw new UsageError(`${command}: unknown option ${arg}${known ? ` (it takes ${known})` : ''}; run "nic-offload help ${command}"`);
    }
  }
  return { positionals, flags, options };
}
