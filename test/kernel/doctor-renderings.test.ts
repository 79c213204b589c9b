// The raw kernel-log fixtures (the "<N>[uptime] message" form of /proc/kmsg and dmesg -r)
// rendered by the real dmesg(1) (dmesg -F) in each of its output formats, at pinned boot times,
// zones and locales (libfaketime, localedef: test/helpers/pinned-render.ts), so the prefixes come
// from the tool, not from us, on any day.
import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { Readable } from 'stream';
import { scanStream } from '../../ts/doctor';
import type { FailureTally } from '../../ts/doctor/report';
import { check, expectation, fixtures } from '../helpers/kernel-log-fixtures';
import { bootEpoch, Pin, pinnedDmesg, withPinnedProcess } from '../helpers/pinned-render';

async function scanString(text: string): Promise<FailureTally> {
  return scanStream(Readable.from([text]), { now: new Date('2025-12-01T00:00:00Z') });
}

// The renderings below run at a pinned boot time, zone and locale (test/helpers/pinned-render.ts).
const DEFAULT_PIN: Pin = { boot: '2026-12-09 23:50:00', tz: 'UTC', locale: 'C' };

function dmesg(file: string, args: string[], pin = DEFAULT_PIN): string {
  return pinnedDmesg(file, args, pin);
}

// dmesg output formats; `facility` marks those that keep the facility (user-space lines tell).
const RENDERINGS: Array<{ args: string[]; uptime: boolean; facility: boolean }> = [
  { args: [], uptime: true, facility: false },
  { args: ['-r'], uptime: true, facility: true },
  { args: ['-x'], uptime: true, facility: true },
  { args: ['-t'], uptime: false, facility: false },
  { args: ['-T'], uptime: false, facility: false },
  { args: ['--time-format', 'iso'], uptime: false, facility: false },
  { args: ['--time-format', 'reltime'], uptime: false, facility: false },
  { args: ['--time-format', 'delta'], uptime: false, facility: false },
  { args: ['-x', '-T'], uptime: false, facility: true },
];

describe('doctor: kernel formats rendered by dmesg(1)', () => {
  for (const file of fixtures('raw')) {
    const exp = expectation(file);
    it(`${path.basename(file)}: as the raw ring buffer text`, async () => {
      check(await scanString(fs.readFileSync(file, 'utf8')), exp, { uptime: true, stamp: false }, 'raw');
    });
    for (const r of RENDERINGS) {
      if (exp.facilityOnly && !r.facility) continue;
      it(`${path.basename(file)}: dmesg ${r.args.join(' ') || '(default)'}`, async () => {
        const text = dmesg(file, r.args);
        check(await scanString(text), exp, { uptime: r.uptime, stamp: false }, `dmesg ${r.args.join(' ')}`);
      });
    }
  }
});

// The forms that print a date, on days whose width differs (%e pads 1-9 with a space), in zones
// east and west of UTC with half-hour offsets, and in locales whose names (and, translated by
// util-linux-locales, whose field order) differ: driver, bus id and stamp must survive each.
const DATED: Array<{ args: string[]; step: number }> = [
  { args: ['--time-format', 'reltime'], step: 60 },
  { args: ['-T'], step: 1 },
  { args: ['--time-format', 'iso'], step: 1e-6 },
];
const PINS: Pin[] = [
  { boot: '2026-12-01 00:00:00', tz: 'UTC', locale: 'C' },
  { boot: '2027-01-09 05:30:00', tz: 'Asia/Kolkata', locale: 'C' },
  { boot: '2027-02-10 21:00:00', tz: 'America/St_Johns', locale: 'C' },
  { boot: '2027-03-31 08:15:00', tz: 'Europe/Berlin', locale: 'de_DE.UTF-8' },
  { boot: '2027-05-01 12:00:00', tz: 'Europe/Paris', locale: 'fr_FR.UTF-8' },
  { boot: '2027-08-31 23:00:00', tz: 'Asia/Tokyo', locale: 'ja_JP.UTF-8' },
];

/** The stamp dmesg printed in front of the first headline: brackets' content or the iso word. */
function printedStamp(text: string): string {
  const line = text.split('\n').find((l) => l.includes(': hw csum failure'))!;
  return line.startsWith('[') ? line.slice(1, line.indexOf(']')).trim() : line.slice(0, line.indexOf(' '));
}

describe('doctor: dmesg renderings at pinned dates, zones and locales', () => {
  for (const file of fixtures('raw')) {
    const exp = expectation(file);
    if (exp.facilityOnly) continue;
    for (const pin of PINS) {
      for (const r of DATED) {
        it(`${path.basename(file)}: dmesg ${r.args.join(' ')}, boot ${pin.boot} ${pin.tz} ${pin.locale}`, async () => {
          const text = dmesg(file, r.args, pin);
          const tally = await withPinnedProcess(pin, () => scanStream(Readable.from([text]), { now: new Date((bootEpoch(pin) + 86400) * 1000) }));
          check(tally, exp, { uptime: false, stamp: false }, `dmesg ${r.args.join(' ')}`);
          const first = exp.failures[0];
          const got = [...tally.entries.values()].find((e) => e.name === first.name)!.first;
          const stamp = printedStamp(text);
          assert.equal(got.stamp, stamp, 'the stamp as dmesg printed it');
          if (/^[+<]/.test(stamp)) {
            assert.equal(got.date, undefined, 'a reltime delta has no date');
          } else {
            const want = Math.floor((bootEpoch(pin) + first.firstUptime!) / r.step) * r.step;
            assert.ok(got.date, `a date from "${stamp}"`);
            assert.ok(Math.abs(got.date.getTime() / 1000 - want) < 0.001, `"${stamp}" is ${got.date.toISOString()}, not ${new Date(want * 1000).toISOString()}`);
          }
        });
      }
    }
  }
});

