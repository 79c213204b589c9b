// The results table: one row per comparison, each with both figures from the same run and their ratio.

export interface Row {
  section: string;
  what: string;
  value: number;
  unit: 'ns' | 'bytes' | 'count';
  vs: string;
  vsValue: number;
  /** value / vsValue, or vsValue / value for speed-ups (`speedup` true). */
  ratio: number;
  speedup?: boolean;
  target?: string;
  met?: boolean;
}

export function row(section: string, what: string, value: number, vs: string, vsValue: number, target?: { max?: number; min?: number }, speedup = false, unit: Row['unit'] = 'ns'): Row {
  const ratio = speedup ? vsValue / value : value / vsValue;
  const r: Row = { section, what, value, unit, vs, vsValue, ratio };
  if (speedup) r.speedup = true;
  if (target?.max !== undefined) {
    r.target = `≤ ${target.max}×`;
    r.met = ratio <= target.max;
  } else if (target?.min !== undefined) {
    r.target = `≥ ${target.min}×`;
    r.met = ratio >= target.min;
  }
  return r;
}

/** A measurement with nothing to compare it with (allocation counts). */
export function single(section: string, what: string, value: number, unit: Row['unit']): Row {
  return { section, what, value, unit, vs: '', vsValue: NaN, ratio: NaN };
}

export function fmt(v: number, unit: Row['unit']): string {
  if (unit === 'bytes') return v >= 1 << 20 ? `${(v / (1 << 20)).toFixed(1)} MiB` : `${v.toFixed(v < 10 ? 2 : 0)} B`;
  if (unit === 'count') return v.toFixed(v < 10 ? 3 : 0);
  if (v < 1e3) return `${v.toFixed(0)} ns`;
  if (v < 1e6) return `${(v / 1e3).toFixed(2)} µs`;
  return `${(v / 1e6).toFixed(2)} ms`;
}

function ratioText(r: Row): string {
  if (!r.vs) return '';
  const x = r.ratio >= 100 ? r.ratio.toFixed(0) : r.ratio.toFixed(2);
  return r.speedup ? `${x}× faster` : `${x}×`;
}

export function markdown(rows: Row[]): string {
  const lines = ['| # | measured | value | compared with | value | ratio | target | met |', '|---|---|---:|---|---:|---:|---|---|'];
  for (const r of rows) {
    const met = r.met === undefined ? '' : r.met ? 'yes' : '**no**';
    lines.push(`| ${r.section} | ${r.what} | ${fmt(r.value, r.unit)} | ${r.vs} | ${r.vs ? fmt(r.vsValue, r.unit) : ''} | ${ratioText(r)} | ${r.target ?? ''} | ${met} |`);
  }
  return lines.join('\n');
}
