// The table of known "hw csum failure" causes (ts/doctor/known-bugs.ts): its shape, its sources,
// and what it says for each driver on the kernels its threads talk about.
import { strict as assert } from 'assert';
import { adviseKnownBugs, kernelLabel } from '../../ts/doctor/advice';
import { describeKernelRange, inKernelRange, parseKernelRelease } from '../../ts/doctor/kernel-release';
import { KNOWN_BUGS } from '../../ts/doctor/known-bugs';

const ids = (list: Array<{ id: string }>): string[] => list.map((b) => b.id);

describe('doctor: kernel releases', () => {
  it('reads uname -r as a version, with or without a sublevel', () => {
    assert.deepEqual(parseKernelRelease('4.14.71-v7+'), { major: 4, minor: 14, patch: 71 });
    assert.deepEqual(parseKernelRelease('6.1.0-rpi7-rpi-v8'), { major: 6, minor: 1, patch: 0 });
    assert.deepEqual(parseKernelRelease('4.18-rc3'), { major: 4, minor: 18 });
    assert.deepEqual(parseKernelRelease('5.4'), { major: 5, minor: 4 });
    for (const bad of ['', 'v4.14', 'linux', '4', '4.14.71.3', '4.x']) assert.equal(parseKernelRelease(bad), undefined, bad);
    assert.equal(kernelLabel('5.10.17-v8+'), '5.10.17');
    assert.equal(kernelLabel('weird'), 'weird');
  });

  it('ranges: from inclusive, before exclusive, a missing sublevel is .0', () => {
    const wave = { from: '4.14.71', before: '4.14.80' };
    const v = (r: string) => parseKernelRelease(r)!;
    assert.deepEqual(['4.14.70', '4.14.71', '4.14.79', '4.14.80', '4.15.1'].map((r) => inKernelRange(v(r), wave)), [false, true, true, false, false]);
    const minor = { from: '4.18', before: '4.19' };
    assert.deepEqual(['4.17.19', '4.18', '4.18.0', '4.18.20', '4.19', '4.19.0'].map((r) => inKernelRange(v(r), minor)), [false, true, true, true, false, false]);
    assert.equal(inKernelRange(v('3.18.1'), { before: '4.14.33' }), true);
    assert.equal(describeKernelRange(wave), '4.14.71-4.14.79');
    assert.equal(describeKernelRange(minor), '4.18.x');
    assert.equal(describeKernelRange({ before: '4.14.33' }), 'before 4.14.33');
  });
});

describe('doctor: the table of known bugs', () => {
  it('every entry has a unique id, drivers, a remedy, and sources that are GitHub threads named as cited', () => {
    assert.equal(new Set(ids([...KNOWN_BUGS])).size, KNOWN_BUGS.length);
    for (const bug of KNOWN_BUGS) {
      assert.ok(bug.drivers.length > 0 && bug.drivers.every((d) => /^[a-z0-9_-]+$/.test(d)), bug.id);
      assert.ok(bug.title && bug.detail && bug.remedy && bug.hardware, bug.id);
      assert.ok(bug.sources.length > 0, bug.id);
      for (const s of bug.sources) {
        const m = /^([\w.-]+\/[\w.-]+)#(\d+)$/.exec(s.ref);
        assert.ok(m, `${bug.id}: ref ${s.ref}`);
        assert.match(s.url, new RegExp(`^https://github\\.com/${m![1].replace('.', '\\.')}/(issues|pull)/${m![2]}$`), `${bug.id}: ${s.url} is ${s.ref}`);
        assert.ok(s.says.length > 10, `${bug.id}: ${s.ref} says what?`);
      }
      for (const r of bug.kernels ?? []) {
        // The bounds are versions (describeKernelRange throws otherwise) and not empty.
        assert.ok(describeKernelRange(r));
        if (r.from && r.before) assert.ok(!inKernelRange(parseKernelRelease(r.before)!, r) && inKernelRange(parseKernelRelease(r.from)!, r), bug.id);
      }
      assert.equal(bug.status === 'fixed', bug.fixedIn !== undefined, `${bug.id}: fixedIn goes with status fixed`);
    }
  });

  it('the sources the issue names are all cited: #2712/#2713, PRs #2716/#2717 (the 88078d98d1bb wave), #2458, #4184, #7550, #2965, #2659', () => {
    const refs = new Set(KNOWN_BUGS.flatMap((b) => b.sources.map((s) => s.ref)));
    for (const n of [2712, 2713, 2716, 2717, 2458, 4184, 7550, 2965, 2659]) assert.ok(refs.has(`raspberrypi/linux#${n}`), `#${n}`);
    const wave = KNOWN_BUGS.find((b) => b.id === 'pskb-trim-rcsum-2018')!;
    assert.match(wave.title, /88078d98d1bb/);
    assert.equal(wave.fixedIn, '4.19 and 4.14.80');
    assert.match(wave.remedy, /^upgrade the kernel/);
  });

  it('smsc95xx on 4.14.74: the 2018 wave is the cause (upgrade), #2965 is a separate transmit fault', () => {
    const a = adviseKnownBugs('smsc95xx', 'ethtool', '4.14.74-v7+');
    assert.deepEqual(ids(a.causes), ['pskb-trim-rcsum-2018']);
    assert.equal(a.causes[0].kernelMatch, 'affected');
    assert.equal(a.causes[0].affectedKernels, '4.14.71-4.14.79, 4.18.x');
    assert.deepEqual(ids(a.separate), ['smsc95xx-tx-2965']);
    assert.equal(a.separate[0].relation, 'separate');
    assert.deepEqual(a.ruledOut, []);
  });

  it('the wave is matched on exactly 4.14.71-4.14.79 and 4.18.x, for smsc95xx and lan78xx', () => {
    const inWave = (driver: string, release: string) => ids(adviseKnownBugs(driver, 'ethtool', release).causes).includes('pskb-trim-rcsum-2018');
    const releases = ['4.14.70-v7+', '4.14.71-v7+', '4.14.79-v7+', '4.14.80-v7+', '4.18.4-v7+', '4.18.20', '4.19.0-v7+', '4.19.40-v7+', '6.1.0-rpi7-rpi-v8'];
    const expected = [false, true, true, false, true, true, false, false, false];
    for (const driver of ['smsc95xx', 'lan78xx']) assert.deepEqual(releases.map((r) => inWave(driver, r)), expected, driver);
    assert.deepEqual(releases.map((r) => inWave('bcmgenet', r)), releases.map(() => false), 'not for other drivers');
  });

  it('lan78xx: VLAN checksums before 4.14.33 (#2458); on 6.1 both known causes are ruled out and named', () => {
    assert.deepEqual(ids(adviseKnownBugs('lan78xx', 'ethtool', '4.14.27-v7+').causes), ['lan78xx-vlan-2018']);
    assert.deepEqual(ids(adviseKnownBugs('lan78xx', 'ethtool', '4.14.33-v7+').causes), []);
    const now = adviseKnownBugs('lan78xx', 'ethtool', '6.1.0-rpi7-rpi-v8');
    assert.deepEqual(now.causes, []);
    assert.deepEqual(now.separate, [], 'no smsc95xx transmit bug for lan78xx');
    assert.deepEqual(
      now.ruledOut.map((r) => [r.id, r.affectedKernels]),
      [
        ['pskb-trim-rcsum-2018', '4.14.71-4.14.79, 4.18.x'],
        ['lan78xx-vlan-2018', 'before 4.14.33'],
      ],
    );
  });

  it('bcmgenet (Pi 4, #4184): a cause on every kernel, still open; no upgrade remedy', () => {
    for (const release of ['5.10.11-v7l+', '6.6.51+rpt-rpi-v8', 'nonsense']) {
      const a = adviseKnownBugs('bcmgenet', 'log', release);
      assert.deepEqual(ids(a.causes), ['bcmgenet-pi4'], release);
      assert.equal(a.causes[0].kernelMatch, 'every');
      assert.equal(a.causes[0].status, 'open');
      assert.equal(a.driverFrom, 'log');
    }
  });

  it('macb (Pi 5 RP1, #7550): only a separate transmit fault, never a cause', () => {
    const a = adviseKnownBugs('macb', 'ethtool', '6.12.25+rpt-rpi-2712');
    assert.deepEqual(a.causes, []);
    assert.deepEqual(ids(a.separate), ['macb-rp1-tx-7550']);
    assert.match(a.separate[0].detail, /not "hw csum failure"/);
  });

  it('a release that is not a version: range entries are reported as "unknown", not dropped', () => {
    const a = adviseKnownBugs('smsc95xx', 'ethtool', 'custom-kernel');
    assert.deepEqual(ids(a.causes), ['pskb-trim-rcsum-2018']);
    assert.equal(a.causes[0].kernelMatch, 'unknown');
  });

  it('a driver with no entry gets nothing', () => {
    assert.deepEqual(adviseKnownBugs('veth', 'ethtool', '4.14.74'), { driver: 'veth', driverFrom: 'ethtool', kernel: '4.14.74', causes: [], separate: [], ruledOut: [] });
  });

  it('separate faults never say the receive fix needs them, and causes never ask for tx off', () => {
    for (const bug of KNOWN_BUGS) {
      if (bug.relation === 'separate') assert.match(bug.remedy, /not part of the "hw csum failure" fix/, bug.id);
      else assert.doesNotMatch(bug.remedy, /\btx off\b/, bug.id);
    }
  });
});
