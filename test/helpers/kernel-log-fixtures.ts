// The kernel-log fixtures (test/fixtures/kernel-log/*/NAME with NAME.expect.json saying what each
// holds) and the check of a tally against an expectation, shared by the parser's and the journal's tests.
import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import type { FailureTally } from '../../ts/doctor/report';

export const FIXTURES = path.join(__dirname, '..', 'fixtures', 'kernel-log');

export interface Expected {
  name: string;
  printedName: string;
  resolvedBy: string;
  count: number;
  driver?: string;
  busId?: string;
  iif?: number;
  firstUptime?: number;
  lastUptime?: number;
  firstStamp?: string;
  lastStamp?: string;
  firstDate?: string;
  firstSeq?: number;
}

export interface Expectation {
  facilityOnly?: boolean;
  /** TZ and LC_ALL of the machine that printed the fixture (the rendered ones). */
  env?: { TZ: string; LC_ALL: string };
  /** "Now" for stamps that print no year. */
  now?: string;
  failures: Expected[];
}

export function expectation(file: string): Expectation {
  return JSON.parse(fs.readFileSync(`${file.replace(/\.txt$/, '')}.expect.json`, 'utf8'));
}

export function fixtures(dir: string): string[] {
  return fs
    .readdirSync(path.join(FIXTURES, dir))
    .filter((f) => !f.endsWith('.expect.json'))
    .map((f) => path.join(FIXTURES, dir, f));
}

/** Checks a tally against the expectation; `keeps` says which time fields the rendering kept. */
export function check(tally: FailureTally, exp: Expectation, keeps: { uptime: boolean; stamp: boolean }, what: string): void {
  const got = [...tally.entries.values()];
  assert.deepEqual(
    got.map((e) => e.name).sort(),
    exp.failures.map((f) => f.name).sort(),
    `${what}: interfaces found`,
  );
  for (const f of exp.failures) {
    const e = got.find((g) => g.name === f.name)!;
    assert.equal(e.printedName, f.printedName, `${what}: printed name of ${f.name}`);
    assert.equal(e.resolvedBy, f.resolvedBy, `${what}: how ${f.name} was resolved`);
    assert.equal(e.count, f.count, `${what}: count of ${f.name}`);
    assert.equal(e.driver, f.driver, `${what}: driver of ${f.name}`);
    assert.equal(e.busId, f.busId, `${what}: bus id of ${f.name}`);
    assert.equal(e.iif, f.iif, `${what}: iif of ${f.name}`);
    if (keeps.uptime && f.firstUptime !== undefined) assert.equal(e.first.uptime, f.firstUptime, `${what}: first uptime`);
    if (keeps.uptime && f.lastUptime !== undefined) assert.equal(e.last.uptime, f.lastUptime, `${what}: last uptime`);
    if (keeps.stamp && f.firstStamp !== undefined) assert.equal(e.first.stamp, f.firstStamp, `${what}: first stamp`);
    if (keeps.stamp && f.lastStamp !== undefined) assert.equal(e.last.stamp, f.lastStamp, `${what}: last stamp`);
    if (f.firstDate !== undefined) assert.equal(e.first.date?.toISOString(), f.firstDate, `${what}: first date`);
    if (f.firstSeq !== undefined) assert.equal(e.first.seq, f.firstSeq, `${what}: first seq`);
  }
  assert.equal(tally.total, exp.failures.reduce((n, f) => n + f.count, 0), `${what}: total`);
}

