// Command name -> module, loaded on demand so start-up only pays for the command it runs.
// Each area adds its own entry here (and keeps its code in commands/<name>.ts).
import type { Command } from './command';

interface Entry {
  summary: string;
  load: () => Command;
}

/* eslint-disable @typescript-eslint/no-require-imports */
export const COMMANDS: Record<string, Entry> = {
  show: { summary: 'show offload features, like ethtool -k', load: () => require('./commands/show').default },
  set: { summary: 'change offload features, like ethtool -K', load: () => require('./commands/set').default },
  persist: { summary: 'set offload features and keep them across reboot and re-plug', load: () => require('./commands/persist').default },
  unpersist: { summary: 'forget persisted offload settings (restores the files exactly)', load: () => require('./commands/unpersist').default },
  persisted: { summary: 'list persisted offload settings', load: () => require('./commands/persisted').default },
  reapply: { summary: 'set the persisted offload settings of an interface again', load: () => require('./commands/reapply').default },
  doctor: { summary: 'find "hw csum failure" in the kernel log, explain it, fix it', load: () => require('./commands/doctor').default },
  guard: { summary: 'watch the kernel log; turn rx-checksum off on "hw csum failure"', load: () => require('./commands/guard').default },
  completion: { summary: 'print the bash completion script', load: () => require('./commands/completion').default },
};

/** ethtool's option spellings of the commands we mirror, accepted in place of the name. */
export const ETHTOOL_VERBS: Readonly<Record<string, string>> = Object.freeze({
  '-k': 'show',
  '--show-features': 'show',
  '--show-offload': 'show',
  '-K': 'set',
  '--features': 'set',
  '--offload': 'set',
  '-i': 'info',
  '--driver': 'info',
});

export function loadCommand(name: string): Command | undefined {
  const entry = Object.prototype.hasOwnProperty.call(COMMANDS, name) ? COMMANDS[name] : undefined;
  return entry ? entry.load() : undefined;
}
