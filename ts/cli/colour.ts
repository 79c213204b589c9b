// Colour for feature lines on a terminal: only when stdout is a TTY and NO_COLOR is not set
// (https://no-color.org: present and not empty). Piped output stays byte-identical to ethtool.

const RESET = '\x1b[0m';
const GREEN = '\x1b[32m';
const DIM = '\x1b[2m';
const YELLOW = '\x1b[33m';
const BOLD = '\x1b[1m';

export function colourWanted(io: { isTTY: boolean; env: NodeJS.ProcessEnv }): boolean {
  return io.isTTY && !io.env.NO_COLOR;
}

const FEATURE_LINE = /^(\t?)([^:\t]+): (on|off)(?: -> (on|off))?((?: \[[^\]]+\])*)$/;

function paintState(s: string): string {
  return s === 'on' ? `${GREEN}on${RESET}` : s;
}

/** Colours the lines of show/set output: on green, annotations yellow, [fixed] dim, headers bold. */
export function colourize(text: string): string {
  return text
    .split('\n')
    .map((l) => {
      const m = FEATURE_LINE.exec(l);
      if (!m) return l.endsWith(':') ? `${BOLD}${l}${RESET}` : l;
      const [, indent, name, state, after, notes] = m;
      const arrow = after ? ` -> ${paintState(after)}` : '';
      const painted = notes.replace(/ \[([^\]]+)\]/g, (_, n: string) => ` ${n === 'fixed' ? DIM : YELLOW}[${n}]${RESET}`);
      return `${indent}${name}: ${paintState(state)}${arrow}${painted}`;
    })
    .join('\n');
}
