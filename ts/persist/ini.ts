// Line-level INI reading for systemd unit-style files and GLib key files. Edits work on lines,
// so every line the package does not own stays byte-identical.

export interface IniLine {
  /** The raw line without its newline. */
  text: string;
  /** The group the line is in ('' before the first header). */
  group: string;
  /** For `[group]` header lines. */
  header?: string;
  key?: string;
  value?: string;
}

export function parseIni(text: string): IniLine[] {
  const out: IniLine[] = [];
  let group = '';
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  for (const t of lines) {
    const s = t.trim();
    const h = /^\[([^\]]*)\]$/.exec(s);
    if (h) {
      group = h[1];
      out.push({ text: t, group, header: group });
    } else if (s === '' || s.startsWith('#') || s.startsWith(';')) {
      out.push({ text: t, group });
    } else {
      const eq = s.indexOf('=');
      out.push(eq < 0 ? { text: t, group } : { text: t, group, key: s.slice(0, eq).trim(), value: s.slice(eq + 1).trim() });
    }
  }
  return out;
}

export function joinIni(lines: readonly IniLine[]): string {
  return lines.length ? lines.map((l) => l.text).join('\n') + '\n' : '';
}

/** The last value of `key` in `group` (key files and systemd: a later assignment wins). */
export function iniGet(lines: readonly IniLine[], group: string, key: string): string | undefined {
  let v: string | undefined;
  for (const l of lines) if (l.group === group && l.key === key) v = l.value;
  return v;
}

/** Every assignment of `key` in `group`, in order (systemd list keys accumulate; '' resets). */
export function iniAll(lines: readonly IniLine[], group: string, key: string): string[] {
  let vals: string[] = [];
  for (const l of lines) {
    if (l.group !== group || l.key !== key) continue;
    if (l.value === '') vals = [];
    else vals.push(l.value as string);
  }
  return vals;
}
