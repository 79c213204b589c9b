// Time stamps in every form dmesg, syslog and journalctl print, for every month, day width and
// hour, in several time zones and locales. The text of each stamp is made by the real date(1)
// with the tool's own format string (from util-linux's dmesg.c, systemd's logs-show.c, rsyslog,
// and for a translated dmesg the format its util-linux.mo catalogue gives), so the tests depend
// neither on the day they run nor on the host's TZ or LANG.
import { strict as assert } from 'assert';
import { spawnSync } from 'child_process';
import { LogLineParser } from '../../ts/doctor/parse';
import { readStamp } from '../../ts/doctor/log-time';
import { Pin, pinnedEnv, withPinnedProcess } from '../helpers/pinned-render';

/** Local wall-clock moments in 2026 on days 1, 9, 10 and the month's last, at hours 0, 9, 13, 23. */
function moments(pin: Pin): number[] {
  const lines: string[] = [];
  for (let month = 1; month <= 12; month++) {
    const last = new Date(Date.UTC(2026, month, 0)).getUTCDate();
    for (const day of [1, 9, 10, last]) {
      for (const hour of [0, 9, 13, 23]) lines.push(`2026-${month}-${day} ${hour}:07:05`);
    }
  }
  return dateLines('+%s', lines.join('\n'), pin).map(Number);
}

/** date(1) of the pinned machine, once over many inputs ("-f -": one date per line). */
function dateLines(format: string, input: string, pin: Pin): string[] {
  const r = spawnSync('date', ['-f', '-', format], { input, encoding: 'utf8', env: pinnedEnv(pin) });
  if (r.error) throw r.error;
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.replace(/\n$/, '').split('\n');
}

/** The format a translated dmesg uses for `msgid` (gettext, from util-linux-locales). */
function translated(msgid: string, pin: Pin): string {
  const r = spawnSync('gettext', ['-d', 'util-linux', msgid], { encoding: 'utf8', env: pinnedEnv(pin) });
  if (r.error) throw r.error;
  return r.stdout;
}

interface Form {
  name: string;
  /** strftime format of the stamp as printed at the start of the line. */
  format: (pin: Pin) => string;
  /** What follows the stamp on the line. */
  tail: string;
  /** Seconds the printed stamp resolves to (60: minutes only). */
  step: number;
  /** Whether the printed names are the locale's (so a date needs them understood). */
  localised: boolean;
  /** Wrapped in brackets (and printed as the stamp without them). */
  brackets?: boolean;
  /** The tool prints English names whatever the locale (rsyslog; systemd's own day names). */
  english?: boolean;
}

const HEADLINE = 'smsc95xx 1-1.1:1.0 eth0: hw csum failure';
const FORMS: Form[] = [
  { name: 'dmesg reltime', format: (p) => translated('%b%e %H:%M', p), tail: HEADLINE, step: 60, localised: true, brackets: true },
  { name: 'dmesg -T', format: (p) => translated('%a %b %e %H:%M:%S %Y', p), tail: HEADLINE, step: 1, localised: true, brackets: true },
  { name: 'dmesg --time-format iso', format: () => '%Y-%m-%dT%H:%M:%S,%6N%:z', tail: HEADLINE, step: 1e-6, localised: false },
  { name: 'BSD syslog', format: () => '%b %e %H:%M:%S', tail: `pi kernel: ${HEADLINE}`, step: 1, localised: false, english: true },
  { name: 'RFC 3339 syslog', format: () => '%Y-%m-%dT%H:%M:%S.%6N%:z', tail: `pi kernel: ${HEADLINE}`, step: 1e-6, localised: false },
  { name: 'journalctl short', format: () => '%b %d %H:%M:%S', tail: `pi kernel: ${HEADLINE}`, step: 1, localised: true },
  { name: 'journalctl short-precise', format: () => '%b %d %H:%M:%S.%6N', tail: `pi kernel: ${HEADLINE}`, step: 1e-6, localised: true },
  { name: 'journalctl short-iso', format: () => '%Y-%m-%dT%H:%M:%S%z', tail: `pi kernel: ${HEADLINE}`, step: 1, localised: false },
  { name: 'journalctl short-full', format: () => '%a %Y-%m-%d %H:%M:%S %Z', tail: `pi kernel: ${HEADLINE}`, step: 1, localised: false, english: true },
  { name: 'journalctl short-unix', format: () => '%s.%6N', tail: `pi kernel: ${HEADLINE}`, step: 1e-6, localised: false },
];

const PINS: Pin[] = [
  { boot: '', tz: 'UTC', locale: 'C' },
  { boot: '', tz: 'Asia/Kolkata', locale: 'C' },
  { boot: '', tz: 'America/St_Johns', locale: 'de_DE.UTF-8' },
  { boot: '', tz: 'Europe/Paris', locale: 'fr_FR.UTF-8' },
  { boot: '', tz: 'Asia/Tokyo', locale: 'ja_JP.UTF-8' },
];

// Only C-locale English and ICU-known names are understood; journalctl short-full prints English.
const NOW = '2026-12-31 23:00:00';

describe('doctor: log time stamps, every form, month, day width and hour', () => {
  for (const pin of PINS) {
    for (const form of FORMS) {
      it(`${form.name}, TZ=${pin.tz} LC_ALL=${pin.locale}`, async () => {
        const epochs = moments(pin);
        // A fraction of a second, so the precise forms show one.
        const input = epochs.map((s) => `@${s}.123456`).join('\n');
        const fmt = form.format(pin);
        const stamps = dateLines(`+${fmt}`, input, form.english ? { ...pin, locale: 'C' } : pin);
        await withPinnedProcess(pin, () => {
          const now = new Date(NOW.replace(' ', 'T'));
          stamps.forEach((stamp, i) => {
            const line = `${form.brackets ? `[${stamp}]` : stamp} ${form.tail}`;
            const what = `"${line}"`;
            const got = readStamp(line, now);
            assert.ok(got, `${what}: a stamp`);
            assert.equal(got.stamp, stamp.trim(), `${what}: the stamp as printed`);
            assert.equal(line.slice(got.length), form.tail, `${what}: the rest of the line`);
            assert.ok(got.date, `${what}: a date`);
            const want = Math.floor((epochs[i] + 0.123456) / form.step) * form.step;
            assert.ok(Math.abs(got.date.getTime() / 1000 - want) < 0.001, `${what}: ${got.date.toISOString()}, not ${new Date(want * 1000).toISOString()}`);
            // And the whole line through the parser: the message is the headline, from the kernel.
            const parsed = new LogLineParser(now).parse(line)!;
            assert.equal(parsed.message, HEADLINE, `${what}: message`);
            assert.equal(parsed.kernel, true, `${what}: kernel`);
          });
        });
      });
    }
  }

  it('a year-less stamp more than a day after "now" is last year', () => {
    const now = new Date(2026, 0, 1, 12, 0, 0);
    assert.equal(readStamp('[Dec31 23:59] x', now)?.date?.getFullYear(), 2025);
    assert.equal(readStamp('Jan  2 06:00:00 host kernel: x', now)?.date?.getFullYear(), 2026);
  });

  it('brackets that hold no clock time are part of the message', () => {
    const now = new Date(2026, 0, 1);
    for (const text of ['[drm] Initialized vc4 0.0.0', '[Firmware Bug]: TSC_DEADLINE disabled', '[ cut here ]']) {
      assert.equal(readStamp(text, now), undefined, text);
      assert.equal(new LogLineParser(now).parse(text)?.message, text);
    }
  });

  it('dmesg -d and journalctl short-delta: the uptime, not the delta', () => {
    const now = new Date(2026, 0, 1);
    assert.equal(readStamp('[  612.034512 <    0.000039>] x', now)?.uptime, 612.034512);
    assert.equal(readStamp('[  612.034512 <  602.734300 >] pi kernel: x', now)?.uptime, 612.034512);
    assert.equal(readStamp('[<    0.000039>] x', now)?.uptime, undefined);
    assert.equal(readStamp('[  +0.000039] x', now)?.stamp, '+0.000039');
  });

  it('a month name of another locale keeps the stamp, without a date', async () => {
    await withPinnedProcess({ boot: '', tz: 'UTC', locale: 'C' }, () => {
      const got = readStamp('[Mi,  2. Dez 2026, 17:02:11] eth0: hw csum failure', new Date(2026, 11, 31));
      assert.equal(got?.stamp, 'Mi,  2. Dez 2026, 17:02:11');
      assert.equal(got?.date, undefined);
    });
  });

  it('a Japanese journalctl line starting with " 1月" is a line, not a continuation', () => {
    const p = new LogLineParser(new Date(2026, 11, 31));
    const line = p.parse(' 1月 02 06:05:01 pi kernel: eth0: hw csum failure');
    assert.equal(line?.message, 'eth0: hw csum failure');
    assert.equal(line?.date?.getMonth(), 0);
  });
});
