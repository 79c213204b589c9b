// The words shell completion offers, from the command help texts (options) and the running
// kernel (interfaces, feature names): shared by `nic-offload completion` and its tests.
import { getFeatureNames, LEGACY_FLAGS, listInterfaces } from '../core';
import { COMMANDS, ETHTOOL_VERBS, loadCommand } from './registry';

export function commandWords(): string[] {
  return [...Object.keys(COMMANDS), 'help'];
}

/** The --options a command's help lists. */
export function optionWords(command: string): string[] {
  const name = ETHTOOL_VERBS[command] ?? command;
  const cmd = Object.prototype.hasOwnProperty.call(COMMANDS, name) ? loadCommand(name) : undefined;
  if (!cmd) return [];
  return [...new Set(cmd.help.match(/--[a-z][a-z-]*/g) ?? [])].sort();
}

export function interfaceWords(netns?: string): string[] {
  return listInterfaces({ netns });
}

/** Kernel names of IFACE (no holes) and ethtool's legacy short and long names. */
export function featureWords(ifname: string, netns?: string): string[] {
  const kernel = getFeatureNames(ifname, { netns }).filter((n) => n !== '');
  const legacy = LEGACY_FLAGS.flatMap((f) => [f.short, f.long]);
  return [...new Set([...legacy, ...kernel])];
}
