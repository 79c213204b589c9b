// Which backend should hold an interface's settings, and why: read from the tree under the root
// (an image's tree with --root, never the host's), plus the device's facts.
import { ErrorCode, NicOffloadError } from '../errors';
import { ifupdown } from './ifupdown';
import { networkmanager } from './networkmanager';
import { ifupdownFacts, ifupdownUnavailable, nmManages } from './probes';
import { systemdLink } from './systemd-link';
import type { Backend, BackendName, Context, Setting } from './types';
import { udev } from './udev';

export const BACKENDS: Record<BackendName, Backend> = {
  ifupdown,
  'systemd-link': systemdLink,
  networkmanager,
  udev,
};

export interface Choice {
  backend: BackendName;
  reason: string;
}

/**
 * Candidates in order, each with why it is considered:
 * 1. NetworkManager, when it manages the interface (then never ifupdown: an iface stanza would
 *    make NM drop it);
 * 2. ifupdown, when an iface stanza already owns the interface;
 * 3. a systemd .link file (udevd applies it under any manager);
 * 4. ifupdown, when it is installed and nothing else manages the interface;
 * 5. the udev rule fallback.
 */
function candidates(ctx: Context): Array<[BackendName, string]> {
  const out: Array<[BackendName, string]> = [];
  const nm = nmManages(ctx);
  if (nm.manages) out.push(['networkmanager', nm.reason]);
  const f = ifupdownFacts(ctx);
  const owns = !nm.manages && ifupdownUnavailable(f) === undefined && f.owners.length > 0;
  if (owns) out.push(['ifupdown', `ifupdown owns ${ctx.ifname} (iface stanza in ${f.owners[0]})`]);
  out.push(['systemd-link', `systemd-udevd applies .link files to ${ctx.ifname} under any network manager${nm.manages ? '' : ` (${nm.reason})`}`]);
  // Installed but unusable (ifupdown2, no hook) still shows up, so the reason says why not.
  if (!nm.manages && f.installed && !owns) out.push(['ifupdown', `ifupdown with the ethtool hook is installed and ${nm.reason}`]);
  out.push(['udev', 'fallback: a udev rule re-applies the recorded settings when the interface is added']);
  return out;
}

/** The first candidate that can hold `settings`; the reason names the ones passed over. */
export function choose(ctx: Context, settings: readonly Setting[], requested: BackendName | 'auto'): Choice {
  if (requested !== 'auto') {
    const why = BACKENDS[requested].cannot(ctx, settings);
    if (why) {
      throw new NicOffloadError(`cannot persist ${ctx.ifname} with the ${requested} backend: ${why}. Nothing was changed.`, {
        code: ErrorCode.PERSIST_UNSUPPORTED,
        ifname: ctx.ifname,
      });
    }
    return { backend: requested, reason: `chosen with --backend ${requested}` };
  }
  const skipped: string[] = [];
  for (const [name, reason] of candidates(ctx)) {
    const why = BACKENDS[name].cannot(ctx, settings);
    if (!why) return { backend: name, reason: skipped.length ? `${reason}; not ${skipped.join('; not ')}` : reason };
    skipped.push(`${name}: ${why}`);
  }
  throw new NicOffloadError(`no way to persist ${ctx.ifname} here: ${skipped.join('; ')}`, { code: ErrorCode.PERSIST_UNSUPPORTED, ifname: ctx.ifname });
}
