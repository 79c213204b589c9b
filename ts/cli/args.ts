// A small argument parser shared by commands: positionals, boolean `--flag`s, and `--opt VALUE`
// (or `--opt=VALUE`). `--` ends the options. Usage errors: anything else starting with `--`, a
// single-dash word (`-x`: no command takes one; a lone `-` is stdin), an option given twice, and
// an empty value (`--netns=` would otherwise mean "this host").
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
    if (arg.startsWith('-') && !arg.startsWith('--') && arg !== '-') {
      throw new UsageError(`${command}: unknown option ${arg}; run "nic-offload help ${command}"`);
    }
    if (!arg.startsWith('--')) {
      positionals.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = arg.slice(2, eq < 0 ? undefined : eq);
    if (knownOptions.has(name)) {
      const value = eq < 0 ? argv[++i] : arg.slice(eq + 1);
      if (value === undefined || value === '' || (eq < 0 && value.startsWith('--'))) {
        throw new UsageError(`${command}: --${name} needs a value; run "nic-offload help ${command}"`);
      }
      if (options.has(name)) throw new UsageError(`${command}: --${name} is given twice; run "nic-offload help ${command}"`);
      options.set(name, value);
    } else if (knownFlags.has(name) && eq < 0) {
      if (flags.has(name)) throw new UsageError(`${command}: --${name} is given twice; run "nic-offload help ${command}"`);
      flags.add(name);
    } else {
      const known = [...knownFlags, ...knownOptions].map((n) => `--${n}`).join(', ');
      throw new UsageError(`${command}: unknown option ${arg}${known ? ` (it takes ${known})` : ''}; run "nic-offload help ${command}"`);
    }
  }
  return { positionals, flags, options };
}
