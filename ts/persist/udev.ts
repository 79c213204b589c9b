// Backend (fallback, for any feature and any system with udev): a rule the package owns that
// runs `nic-offload reapply IFACE` when the interface is added; reapply sets what the state file
// (/var/lib/nic-offload/persisted.json) records for it. udev splits RUN on spaces without a
// shell and substitutes `$…`/`%…`, so the rule holds only absolute paths and names from a safe
// alphabet; nothing a caller passes reaches it unchecked.
import * as path from 'path';
import { ErrorCode, NicOffloadError } from '../errors';
import { ownedHeader, readOwned } from './managed';
import { STATE_FILE } from './state';
import { exists } from './tree';
import type { Backend, Context, FileEdit, Rendered } from './types';

const SAFE_PATH = /^\/[A-Za-z0-9_./+-]+$/;

export function ruleFile(ifname: string): string {
  return `/etc/udev/rules.d/90-nic-offload-${ifname}.rules`;
}

/** The compiled CLI (dist/cli/main.js), also when this module runs from the TypeScript sources. */
export function cliScript(): string {
  const here = __dirname;
  return path.basename(path.dirname(here)) === 'ts' || __filename.endsWith('.ts')
    ? path.resolve(here, '..', '..', 'dist', 'cli', 'main.js')
    : path.resolve(here, '..', 'cli', 'main.js');
}

/** The argv the rule runs: node, the CLI, `reapply IFACE`. */
export function reapplyCommand(ifname: string): string[] {
  return [process.execPath, cliScript(), 'reapply', ifname];
}

function unsafeCommand(ifname: string): string | undefined {
  const bad = reapplyCommand(ifname).slice(0, 2).find((p) => !SAFE_PATH.test(p));
  return bad ? `the path ${JSON.stringify(bad)} cannot go into a udev RUN (only absolute paths of [A-Za-z0-9_./+-])` : undefined;
}

function render(ctx: Context): Buffer {
  const { ifname } = ctx;
  const lines = [
    ownedHeader(ifname).trimEnd(),
    `# Re-applies the offload settings recorded for ${ifname} in ${STATE_FILE} when it is added.`,
    `ACTION=="add", SUBSYSTEM=="net", KERNEL=="${ifname}", RUN+="${reapplyCommand(ifname).join(' ')}"`,
  ];
  return Buffer.from(lines.join('\n') + '\n');
}

export const udev: Backend = {
  name: 'udev',
  alsoHeldIn: [STATE_FILE],

  cannot(ctx) {
    if (!['/usr/lib/udev/rules.d', '/lib/udev/rules.d', '/etc/udev'].some((d) => exists(ctx.root, d))) return 'udev is not installed';
    return unsafeCommand(ctx.ifname);
  },

  render(ctx, settings, prior): Rendered {
    const target = ruleFile(ctx.ifname);
    const edits: FileEdit[] = [];
    for (const p of new Set([...prior.map((f) => f.path), target])) {
      const before = readOwned(ctx.root, p, ctx.ifname);
      if (!before && !settings.length) continue;
      if (settings.length) {
        const why = unsafeCommand(ctx.ifname);
        if (why) throw new NicOffloadError(why, { code: ErrorCode.PERSIST_UNSUPPORTED, ifname: ctx.ifname });
      }
      edits.push({ path: p, before, after: p === target && settings.length ? render(ctx) : null, mode: 0o644 });
    }
    return {
      edits,
      files: settings.length ? [{ path: target, owned: true }] : [],
      notes: settings.length ? [`udev runs "${reapplyCommand(ctx.ifname).join(' ')}" when ${ctx.ifname} is added (boot, re-plug)`] : [],
    };
  },
};
