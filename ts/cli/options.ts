// Option helpers the commands share: the --json pre-scan (errors must be JSON too, even when the
// arguments do not parse), NAME on|off pairs, and the persistence backend option.
import { BACKEND_NAMES, BackendName } from '../persist/types';
import { UsageError } from './report-error';

/** Whether `--json` is among the options (before any `--`). */
export function wantsJson(argv: readonly string[]): boolean {
  const end = argv.indexOf('--');
  return (end < 0 ? argv : argv.slice(0, end)).includes('--json');
}

/** `NAME on|off ...` as [name, on] pairs; a missing or other value, or a `-word` name, is a usage error. */
export function pairsFrom(command: string, args: readonly string[]): Array<[string, boolean]> {
  if (!args.length) throw new UsageError(`${command}: give NAME on|off pairs, e.g. "nic-offload ${command} eth0 rx off gro off"`);
  const pairs: Array<[string, boolean]> = [];
  for (let i = 0; i < args.length; i += 2) {
    const [name, value] = [args[i], args[i + 1]];
    if (value !== 'on' && value !== 'off') {
      const got = value === undefined ? 'nothing' : JSON.stringify(value);
      throw new UsageError(`${command}: feature "${name}" must be followed by on or off, got ${got}`);
    }
    pairs.push([name, value === 'on']);
  }
  return pairs;
}

/** `--backend`: auto or a backend name; undefined when not given (detection decides). */
export function backendOption(command: string, value: string | undefined): BackendName | 'auto' | undefined {
  if (value === undefined || value === 'auto') return value;
  if (!(BACKEND_NAMES as readonly string[]).includes(value)) {
    throw new UsageError(`${command}: unknown backend "${value}"; --backend must be auto, ${BACKEND_NAMES.join(', ')}`);
  }
  return value as BackendName;
}
