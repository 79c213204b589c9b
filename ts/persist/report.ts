// Text for the persist/unpersist/persisted commands (the CLI only prints it).
import { describeSettings } from './names';
import type { PersistedEntry, PersistResult } from './types';

export function formatPersistResult(r: PersistResult, verb: 'persist' | 'unpersist'): string {
  const out: string[] = [];
  const where = r.root === '/' ? '' : ` under ${r.root}`;
  out.push(`${r.ifname}: backend ${r.backend} (${r.reason})`);
  if (r.dryRun) {
    out.push(r.changed ? `dry run: ${verb} would change these files${where}; nothing was written` : `dry run: nothing would change${where}`);
    for (const f of r.files) if (f.diff) out.push(f.diff.trimEnd());
  } else if (!r.changed) {
    out.push(verb === 'persist' ? `already persisted${where}: nothing written` : `nothing to remove${where}: nothing written`);
  } else {
    for (const f of r.files) if (f.action !== 'unchanged') out.push(`  ${f.action} ${f.path}`);
  }
  const s = describeSettings(Object.entries(r.settings));
  out.push(s ? `recorded: ${s}` : 'recorded: nothing');
  for (const n of r.notes) out.push(`note: ${n}`);
  return out.join('\n') + '\n';
}

export function formatPersisted(entries: readonly PersistedEntry[]): string {
  if (!entries.length) return 'nothing persisted\n';
  return entries
    .map((e) => `${e.ifname}: ${describeSettings(Object.entries(e.settings))} (${e.backend}: ${e.files.join(', ')})\n`)
    .join('');
}
