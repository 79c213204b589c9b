// The way a Node user reads and changes offloads without this package: spawn ethtool, parse its text.
import { execFileSync } from 'child_process';

export interface SpawnedFeature {
  active: boolean;
  fixed: boolean;
  requested: boolean;
}

/** Parses `ethtool -k` output: "name: on|off [fixed] [requested on|off]" lines. */
export function parseEthtoolK(text: string): Record<string, SpawnedFeature> {
  const out: Record<string, SpawnedFeature> = {};
  for (const line of text.split('\n')) {
    const m = /^\s*([\w-]+): (on|off)( \[fixed\])?( \[requested (on|off)\])?$/.exec(line);
    if (!m) continue;
    const active = m[2] === 'on';
    out[m[1]] = { active, fixed: m[3] !== undefined, requested: m[5] === undefined ? active : m[5] === 'on' };
  }
  return out;
}

export function ethtoolGet(ifname: string): Record<string, SpawnedFeature> {
  return parseEthtoolK(execFileSync('ethtool', ['-k', ifname], { encoding: 'utf8' }));
}

export function ethtoolSet(ifname: string, feature: string, on: boolean): void {
  execFileSync('ethtool', ['-K', ifname, feature, on ? 'on' : 'off'], { encoding: 'utf8' });
}
