// The time stamp at the start of a log line, in every form the tools that print kernel logs use.
// The format strings (util-linux 2.38 dmesg.c, systemd 252 logs-show.c, rsyslog, sysklogd):
//   dmesg            "[%5ld.%06ld]" seconds since boot; with -d "[%5ld.%06ld <%12.06f>]"
//   dmesg -T         strftime(_("%a %b %e %H:%M:%S %Y")): "[Wed Dec  2 17:02:11 2026]". %e pads
//                    the day with a space. The names come from the locale (LC_TIME), and with
//                    util-linux-locales installed so does the order: "[Mi,  2. Dez 2026, 17:02:11]".
//   dmesg reltime    "[%b%e %H:%M]" when the minute changes: "[Dec 2 22:14]" on days 1-9 but
//                    "[Dec25 22:14]" from the 10th (the space is %e's padding); localised
//                    "[ 2. Dez 17:02]", "[12月 2 17:02]". Otherwise a delta "[  %+8.6f]" / "[ %+9.6f]".
//   dmesg delta      "[<%12.06f>]" (%f: the locale's decimal comma, "[<    0,000034>]")
//   dmesg iso        "%04d-%02d-%02dT%02d:%02d:%02d,%06ld%+03d:%02d" (no brackets, never localised)
//   syslog BSD       "%b %e %H:%M:%S" in English whatever the locale: "Dec  2 06:05:01"
//   syslog RFC 3339  "2026-12-02T06:05:01.123456+01:00" (rsyslog's default file format on Debian 12)
//   journalctl short "%b %d %H:%M:%S": zero-padded day, the locale's month ("Dez 02", "12月 02");
//                    short-precise adds ".%06u"; short-iso "%Y-%m-%dT%H:%M:%S%z" (+0530);
//                    short-full "%a %Y-%m-%d %H:%M:%S %Z" (English day, "IST"); short-monotonic
//                    "[%5llu.%06llu]"; short-delta "[%5llu.%06llu <%5llu.%06llu >]"; short-unix
//                    "%10llu.%06llu".
// Hours are read as one or two digits everywhere, so a format that does not pad them still reads.
// Every pattern is anchored and bounded: a line of any length is looked at for a few dozen bytes.

export interface Stamp {
  /** The stamp as printed, without brackets. */
  stamp: string;
  /** Characters the stamp takes at the start of the line, with its trailing space. */
  length: number;
  /** Seconds since boot. */
  uptime?: number;
  /** Wall-clock time, when the stamp names one that can be read. */
  date?: Date;
  /** Whether the form is one syslog or journalctl print before "HOST TAG:". */
  syslog: boolean;
}

// Deltas are printed with %f, so LC_NUMERIC's decimal comma shows in them ("[  +0,000176]").
const NUM = String.raw`\d{1,12}\.\d{1,9}`;
const DELTA_NUM = String.raw`\d{1,12}[.,]\d{1,9}`;
const UPTIME = new RegExp(String.raw`^\[\s{0,12}(${NUM})(?:\s{1,12}<\s{0,12}[+-]?${DELTA_NUM}\s{0,4}>)?\] ?`);
const DELTA = new RegExp(String.raw`^\[(\s{0,12}[+-]${DELTA_NUM}|<\s{0,12}${DELTA_NUM}>)\] ?`);
/** Any other bracketed stamp: it must hold a clock time ("17:02"), so "[drm]" is a message. */
const BRACKET = /^\[([^\]\n]{1,80})\] ?/;
const CLOCK = /(\d{1,2}):(\d\d)(?::(\d\d))?/;
const ISO = /^(\d{4}-\d\d-\d\d[T ]\d{1,2}:\d\d:\d\d(?:[.,]\d{1,9})?(?:Z|[+-]\d\d:?\d\d)?) /;
const FULL = /^([^\s\d[]\S{0,11} (\d{4})-(\d\d)-(\d\d) (\d{1,2}):(\d\d):(\d\d)(\.\d{1,9})? ([A-Za-z+-][A-Za-z0-9+-]{0,9})) /;
const UNIX = /^(\d{9,11})\.(\d{6}) /;
/** BSD syslog and journalctl short: a month word (any locale), the day, the time. */
const BSD = /^(( ?\d{1,2}月|[^\s\d[][^\s]{0,11}) {1,2}(\d{1,2}) (\d{1,2}):(\d\d):(\d\d)(\.\d{1,9})?) /;
/** glibc's Japanese and Chinese month abbreviations, " 1月" to "12月", pad with a space. */
export const CJK_MONTH_LINE = /^ \d月 \d\d /;

const ENGLISH = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const ENGLISH_DAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];

interface Names {
  months: string[];
  longMonths: string[];
  days: string[];
  longDays: string[];
}
let localNames: { locale: string; names: Names | undefined } | undefined;

const fold = (s: string) => s.toLowerCase().replace(/\.$/, '');

/** The month and day names of the process's locale (LC_ALL, LC_TIME, LANG), as ICU spells them. */
function namesOfLocale(): Names | undefined {
  const raw = process.env.LC_ALL || process.env.LC_TIME || process.env.LANG || '';
  if (localNames?.locale === raw) return localNames.names;
  let names: Names | undefined;
  const tag = raw.replace(/[.@].*$/, '').replace('_', '-');
  if (tag && tag !== 'C' && tag !== 'POSIX') {
    try {
      const list = (opt: Intl.DateTimeFormatOptions, n: number, at: (i: number) => Date) => {
        const f = new Intl.DateTimeFormat(tag, { ...opt, timeZone: 'UTC' });
        return Array.from({ length: n }, (_, i) => fold(f.format(at(i))));
      };
      const month = (i: number) => new Date(Date.UTC(2020, i, 15));
      const day = (i: number) => new Date(Date.UTC(2020, 10, 1 + i)); // 1 Nov 2020 was a Sunday
      names = {
        months: list({ month: 'short' }, 12, month),
        longMonths: list({ month: 'long' }, 12, month),
        days: list({ weekday: 'short' }, 7, day),
        longDays: list({ weekday: 'long' }, 7, day),
      };
    } catch {
      names = undefined;
    }
  }
  localNames = { locale: raw, names };
  return names;
}

/** Whether a word names a day of the week (so "mar." in French is Tuesday, not March). */
function isWeekday(w: string, names: Names | undefined): boolean {
  if (ENGLISH_DAYS.includes(w)) return true;
  return !!names && (names.days.includes(w) || (w.length >= 2 && names.longDays.some((n) => n.startsWith(w))));
}

/**
 * The month (0-11) a word names: "12月" style, English abbreviations (the C locale, syslog), or
 * the locale's own names. glibc abbreviates differently from ICU ("Mär" against "März"), so a
 * word also counts when it begins one month's full name and no other's.
 */
function monthOf(word: string): number | undefined {
  const cjk = /^\s?(\d{1,2})月$/.exec(word);
  if (cjk) return Number(cjk[1]) >= 1 && Number(cjk[1]) <= 12 ? Number(cjk[1]) - 1 : undefined;
  const w = fold(word);
  if (w.length < 2) return undefined;
  const en = ENGLISH.indexOf(w);
  if (en >= 0) return en;
  const names = namesOfLocale();
  if (!names) return undefined;
  const exact = names.months.indexOf(w);
  if (exact >= 0) return exact;
  if (w.length < 3) return undefined;
  const hits = names.longMonths.flatMap((n, i) => (n.startsWith(w) ? [i] : []));
  return hits.length === 1 ? hits[0] : undefined;
}

/** A date without a year: the year that does not put it more than a day after `now`. */
function withoutYear(now: Date, month: number, day: number, h: number, m: number, s: number, ms: number): Date {
  let d = new Date(now.getFullYear(), month, day, h, m, s, ms);
  if (d.getTime() - now.getTime() > 86400e3) d = new Date(now.getFullYear() - 1, month, day, h, m, s, ms);
  return d;
}

function valid(d: Date): Date | undefined {
  return Number.isNaN(d.getTime()) ? undefined : d;
}

/**
 * Reads a date out of a bracketed dmesg stamp in any locale and field order: the clock time,
 * a four-digit year if any, the day, and a word that names a month. Undefined when no word
 * names a month here (another locale's log).
 */
function looseDate(text: string, now: Date): Date | undefined {
  const clock = CLOCK.exec(text);
  if (!clock) return undefined;
  let rest = `${text.slice(0, clock.index)} ${text.slice(clock.index + clock[0].length)}`;
  let year: number | undefined;
  let day: number | undefined;
  let month: number | undefined;
  // "12月31", " 1月 31": the month is the number before 月, whatever follows it.
  const cjk = /(\d{1,2})月/.exec(rest);
  if (cjk) {
    month = monthOf(cjk[0]);
    rest = rest.replace(cjk[0], ' ');
  }
  const number = (n: string) => {
    if (n.length === 4) year ??= Number(n);
    else if (n.length <= 2) day ??= Number(n);
  };
  for (const token of rest.split(/[\s,]+/)) {
    if (token === '') continue;
    if (/^\d+\.?$/.test(token)) {
      number(token.replace('.', ''));
      continue;
    }
    // A day of the week is never the month, even where it begins one ("mar." is Tuesday in French).
    if (isWeekday(fold(token), namesOfLocale())) continue;
    const whole = monthOf(token);
    if (whole !== undefined) {
      month ??= whole;
      continue;
    }
    // "Dec25" (reltime from the 10th) and "2déc." (reltime, French order): day and month glued.
    const glued = /^(\d{1,2})\.?(\D.*)$/.exec(token) ?? /^(\D+?)(\d{1,2})$/.exec(token);
    if (!glued) continue;
    const [num, word] = /^\d/.test(glued[1]) ? [glued[1], glued[2]] : [glued[2], glued[1]];
    const m = monthOf(word);
    if (m === undefined) continue;
    month ??= m;
    number(num);
  }
  if (month === undefined || day === undefined) return undefined;
  const [h, mi, s] = [Number(clock[1]), Number(clock[2]), Number(clock[3] ?? 0)];
  return valid(year !== undefined ? new Date(year, month, day, h, mi, s) : withoutYear(now, month, day, h, mi, s, 0));
}

function isoDate(stamp: string): Date | undefined {
  // "+0530" (journalctl short-iso) → "+05:30"; "," decimal (dmesg iso) → "."; "T" for the space
  const s = stamp.replace(' ', 'T').replace(',', '.').replace(/([+-]\d\d)(\d\d)$/, '$1:$2');
  return valid(new Date(s.replace(/T(\d):/, 'T0$1:')));
}

/**
 * The time stamp at the start of `text`, if it has one. `now` gives the year to stamps that
 * print none (syslog, journalctl short, dmesg reltime).
 */
export function readStamp(text: string, now: Date): Stamp | undefined {
  let m: RegExpExecArray | null;
  if (text.startsWith('[')) {
    if ((m = UPTIME.exec(text))) {
      return { stamp: m[0].trim().slice(1, -1).trim(), length: m[0].length, uptime: Number(m[1]), syslog: false };
    }
    if ((m = DELTA.exec(text))) return { stamp: m[1].trim(), length: m[0].length, syslog: false };
    if ((m = BRACKET.exec(text)) && CLOCK.test(m[1])) {
      return { stamp: m[1].trim(), length: m[0].length, date: looseDate(m[1], now), syslog: false };
    }
    return undefined;
  }
  if ((m = ISO.exec(text))) return { stamp: m[1], length: m[0].length, date: isoDate(m[1]), syslog: true };
  if ((m = FULL.exec(text))) {
    const [y, mo, d, h, mi, s] = m.slice(2, 8).map(Number);
    const ms = m[8] ? Math.round(Number(`0${m[8]}`) * 1000) : 0;
    // A zone abbreviation cannot be resolved in general; UTC and GMT can, the rest is local time.
    const utc = m[9] === 'UTC' || m[9] === 'GMT';
    const date = utc ? new Date(Date.UTC(y, mo - 1, d, h, mi, s, ms)) : new Date(y, mo - 1, d, h, mi, s, ms);
    return { stamp: m[1], length: m[0].length, date: valid(date), syslog: true };
  }
  if ((m = UNIX.exec(text))) {
    return { stamp: `${m[1]}.${m[2]}`, length: m[0].length, date: new Date(Number(m[1]) * 1000 + Number(m[2]) / 1000), syslog: true };
  }
  if ((m = BSD.exec(text))) {
    const month = monthOf(m[2]);
    const ms = m[7] ? Math.round(Number(`0${m[7]}`) * 1000) : 0;
    const date =
      month === undefined ? undefined : valid(withoutYear(now, month, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]), ms));
    return { stamp: m[1].trim(), length: m[0].length, date, syslog: true };
  }
  return undefined;
}
