'use strict';
// Smoke test run inside the ARM VM (scripts/arm-vm/run.sh) with an official ARM Node:
//   node smoke.js eth0
// Uses the installed package's public API only: loads the prebuild, reads the virtio NIC's
// features, CHANGES one through SIOCETHTOOL (ETHTOOL_SFEATURES), checks the change with the
// API and with the VM's ethtool (which reads over netlink, not our ioctl), then restores it;
// then watches /dev/kmsg through the addon's poll handle.
// Prints one PASS/FAIL line per check; exits 1 if any failed.
const { execFileSync } = require('child_process');
const path = require('path');

const ifname = process.argv[2] || 'eth0';
let failed = 0;
function check(name, ok, detail) {
  console.log(`${ok ? 'PASS' : 'FAIL'} ${name}${detail ? `: ${detail}` : ''}`);
  if (!ok) failed++;
  return ok;
}

/** `ethtool -k` as { name: 'on' | 'off' } (kernel names as ethtool prints them). */
function ethtoolK() {
  const out = execFileSync('/bin/ethtool', ['-k', ifname], { encoding: 'utf8' });
  const states = {};
  for (const m of out.matchAll(/^\s*([\w-]+): (on|off)/gm)) states[m[1]] = m[2];
  return states;
}

// Features to change, most telling first: scatter-gather is a real offload bit of virtio_net
// (and turning it off drags TSO with it); the others are software features every device has.
const PREFERRED = ['tx-scatter-gather', 'rx-gro-list', 'rx-udp-gro-forwarding'];

async function main() {
  const pkgDir = path.dirname(require.resolve('nic-offload/package.json'));
  const file = require('node-gyp-build').resolve(pkgDir);
  const api = require('nic-offload');
  check('load', /prebuilds\/linux-arm(64)?\/nic-offload\.glibc\.node$/.test(file),
    `${path.relative(pkgDir, file)} on node ${process.version} ${process.arch}`);

  const info = api.getDriverInfo(ifname);
  check('driver info (ETHTOOL_GDRVINFO)', info.driver === 'virtio_net', JSON.stringify(info));

  const before = api.getFeatures(ifname);
  const oracle = ethtoolK();
  const shared = Object.keys(before).filter((n) => n in oracle);
  const differ = shared.filter((n) => (before[n].active ? 'on' : 'off') !== oracle[n]);
  check('read features (ETHTOOL_GFEATURES) match ethtool -k', shared.length > 10 && differ.length === 0,
    `${Object.keys(before).length} features, ${shared.length} compared${differ.length ? `, differ: ${differ.join(' ')}` : ''}`);

  const changeable = (n) => before[n] && !before[n].fixed && n in oracle;
  const name = PREFERRED.find(changeable) || Object.keys(before).find(changeable);
  if (!check('a changeable feature', !!name, name)) return;
  const was = before[name].active;

  const r = await api.setFeatures(ifname, { [name]: !was });
  const now = api.getFeatures(ifname)[name].active;
  const seen = ethtoolK()[name];
  check(`change ${name} ${was ? 'on->off' : 'off->on'} (ETHTOOL_SFEATURES)`,
    r.sent && r.changed && now === !was && seen === (was ? 'off' : 'on'),
    `sent=${r.sent} changed=${r.changed} api=${now} ethtool=${seen} side effects: ${r.sideEffects.map((c) => c.name).join(' ') || 'none'}`);

  const back = api.setFeaturesSync(ifname, { [name]: was });
  const restored = api.getFeatures(ifname)[name].active;
  check(`restore ${name}`, back.changed && restored === was && ethtoolK()[name] === (was ? 'on' : 'off'), `api=${restored}`);

  // The guard's watcher waits on /dev/kmsg through the addon's libuv poll handle: a line written
  // after the backlog must wake it (the timer fallback is set to an hour, so only the poll can).
  const w = api.watchKernelLog({ intervalMs: 3600000 });
  await new Promise((resolve) => w.once('live', resolve));
  await new Promise((resolve) => setTimeout(resolve, 100));
  const seen0 = w.stats.userRecords;
  require('fs').writeFileSync('/dev/kmsg', 'nic-offload smoke: kernel log wake-up\n');
  const started = Date.now();
  while (w.stats.userRecords === seen0 && Date.now() - started < 10000) await new Promise((resolve) => setTimeout(resolve, 5));
  check('kernel log watch (libuv poll on /dev/kmsg)', w.mode === 'poll' && w.stats.userRecords === seen0 + 1,
    `mode=${w.mode} records=${w.stats.records}`);
  w.close();
}

main().then(
  () => {
    console.log(failed ? `FAIL smoke: ${failed} check(s) failed` : 'PASS smoke');
    process.exit(failed ? 1 : 0);
  },
  (e) => {
    console.log(`FAIL smoke: ${e && e.stack ? e.stack : e}`);
    process.exit(1);
  },
);
