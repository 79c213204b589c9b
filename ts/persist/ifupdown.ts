// Backend: Debian's ifupdown with the ethtool package's hook (/etc/network/if-up.d/ethtool),
// which turns every `offload-<name> on|off` option of an iface stanza into one
// `ethtool --offload IFACE <name> on|off ...` call when ifupdown brings the interface up.
// The package owns /etc/network/interfaces.d/IFACE: `allow-hotplug` (so the hotplug path runs it
// on re-plug too) and an `inet manual` stanza (ifupdown only brings the link up; whatever
// configures addresses keeps doing so).
import { ownedHeader, readOwned } from './managed';
import { conflicts } from './names';
import { ifupdownFacts, ifupdownUnavailable, INTERFACES, nmManages, stanzaFile } from './probes';
import type { Backend, Context, FileEdit, Rendered, Setting } from './types';

function render(ctx: Context, settings: readonly Setting[]): Buffer {
  const { ifname } = ctx;
  const lines = [
    ownedHeader(ifname).trimEnd(),
    '# Offload settings, applied by the ethtool package hook (/etc/network/if-up.d/ethtool)',
    '# when ifupdown brings the interface up: at boot and, through allow-hotplug, on re-plug.',
    `allow-hotplug ${ifname}`,
    `iface ${ifname} inet manual`,
    ...settings.map(([n, on]) => `    offload-${n} ${on ? 'on' : 'off'}`),
  ];
  return Buffer.from(lines.join('\n') + '\n');
}

export const ifupdown: Backend = {
  name: 'ifupdown',

  cannot(ctx, settings) {
    const f = ifupdownFacts(ctx);
    const why = ifupdownUnavailable(f);
    if (why) return why;
    const nm = nmManages(ctx);
    if (nm.manages) return `NetworkManager manages ${ctx.ifname} (${nm.reason}); an iface stanza would make it unmanaged and cut the network`;
    if (!f.sourced) return `${INTERFACES} does not source ${stanzaFile(ctx.ifname)} (no "source /etc/network/interfaces.d/*" line)`;
    // The hook rebuilds each name from IF_OFFLOAD_<NAME>, turning every `_` into `-`.
    const underscored = settings.filter(([n]) => n.includes('_')).map(([n]) => n);
    if (underscored.length) return `the ethtool hook turns "_" into "-", so it cannot set ${underscored.join(', ')}`;
    const c = conflicts(settings);
    if (c) return `${c}; the ethtool hook applies its options in alphabetical order, not in the order given`;
    return undefined;
  },

  render(ctx, settings): Rendered {
    const file = stanzaFile(ctx.ifname);
    const before = readOwned(ctx.root, file, ctx.ifname, ' (add offload-* lines to its stanza by hand, or move it)');
    const after = settings.length ? render(ctx, settings) : null;
    const edit: FileEdit = { path: file, before, after, mode: 0o644 };
    return {
      edits: [edit],
      files: after ? [{ path: file, owned: true }] : [],
      notes: after
        ? [`ifupdown applies it when it brings ${ctx.ifname} up (at boot, and on re-plug through allow-hotplug)`]
        : [],
    };
  },
};
