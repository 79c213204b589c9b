// Backend detection and the systemd .link naming trap, on temp trees shaped like real systems
// (Raspberry Pi OS Bookworm, Debian with ifupdown, Bullseye, Buster, bare udev). The device is a
// fake; detection must read only the tree under the root.
import assert from 'assert/strict';
import * as fs from 'fs';
import { detectBackend, persist } from '../../ts/persist';
import { addDefaultLink, addIfupdown, addNetworkManager, addUdev, TempRoot } from '../helpers/persist-roots';
import { PersistFake, persistFixture, PI_MAC as MAC } from '../helpers/persist-fake';


describe('persist: backend detection (temp trees)', () => {
  let fake: PersistFake;
  let root: TempRoot;
  persistFixture('detect', (f, r) => {
    fake = f;
    root = r;
  });

  function piBookworm(): void {
    addUdev(root, 252);
    addNetworkManager(root, '[main]\nplugins=ifupdown,keyfile\n\n[ifupdown]\nmanaged=false\n');
    root.symlink('/dev/null', '/etc/systemd/network/99-default.link');
    root.symlink('/dev/null', '/etc/systemd/network/73-usb-net-by-mac.link');
    addDefaultLink(root);
  }

  it('Raspberry Pi OS Bookworm (NetworkManager): networkmanager, and never an ifupdown stanza', async () => {
    piBookworm();
    const d = detectBackend('eth0', { root: root.dir });
    assert.equal(d.backend, 'networkmanager');
    assert.match(d.reason, /NetworkManager is enabled/);
    addIfupdown(root); // even with ifupdown installed
    assert.equal(detectBackend('eth0', { root: root.dir }).backend, 'networkmanager');
    const before = root.snapshot();
    await assert.rejects(persist('eth0', { rx: false }, { root: root.dir, backend: 'ifupdown', apply: false }), (e: Error & { code: string }) => {
      assert.equal(e.code, 'ERR_PERSIST_UNSUPPORTED');
      assert.match(e.message, /NetworkManager manages eth0/);
      return true;
    });
    assert.deepEqual(root.snapshot(), before);
  });

  it('an iface stanza hides the device from NetworkManager (ifupdown plugin): ifupdown owns it', () => {
    addUdev(root, 252);
    addNetworkManager(root);
    addIfupdown(root, 'source /etc/network/interfaces.d/*\n\nauto eth0\niface eth0 inet dhcp\n');
    const d = detectBackend('eth0', { root: root.dir });
    assert.equal(d.backend, 'ifupdown');
    assert.match(d.reason, /ifupdown owns eth0 \(iface stanza in \/etc\/network\/interfaces\)/);
  });

  it('NetworkManager installed but not enabled does not manage anything', () => {
    addUdev(root, 252);
    addNetworkManager(root);
    root.clear();
    addUdev(root, 252);
    root.write('/usr/sbin/NetworkManager', 'x');
    assert.equal(detectBackend('eth0', { root: root.dir }).backend, 'systemd-link');
  });

  it("NetworkManager's unmanaged-devices spec leaves the device to others", () => {
    addUdev(root, 252);
    addNetworkManager(root, `[main]\nplugins=keyfile\n\n[keyfile]\nunmanaged-devices=mac:${MAC.toUpperCase()}\n`);
    const d = detectBackend('eth0', { root: root.dir });
    assert.equal(d.backend, 'systemd-link');
    assert.match(d.reason, /unmanaged-devices lists mac:/);
  });

  it('Bullseye-like (dhcpcd, ifupdown, udev 247): a .link file; the host (NetworkManager enabled here) is never consulted', () => {
    addUdev(root, 247);
    addIfupdown(root);
    assert.equal(detectBackend('eth0', { root: root.dir }).backend, 'systemd-link');
  });

  it('Buster-like (udev 241): rx/tx have no .link key yet, so ifupdown with allow-hotplug', async () => {
    addUdev(root, 241);
    addIfupdown(root);
    const r = await persist('eth0', { rx: false, tx: false }, { root: root.dir, apply: false });
    assert.equal(r.backend, 'ifupdown');
    assert.match(r.reason, /not systemd-link: udev 241 is too old for ReceiveChecksumOffload= \(needs 245\)/);
    assert.equal(
      root.read('/etc/network/interfaces.d/eth0').split('\n').filter((l) => !l.startsWith('#')).join('\n'),
      'allow-hotplug eth0\niface eth0 inet manual\n    offload-rx off\n    offload-tx off\n',
    );
  });

  it('features with no .link key (sg, rxhash) go to the udev rule fallback', async () => {
    addUdev(root, 252);
    const r = await persist('eth0', { sg: false, rxhash: false }, { root: root.dir, apply: false });
    assert.equal(r.backend, 'udev');
    assert.match(r.reason, /not systemd-link: \.link files have no key for sg, rxhash/);
    assert.ok(root.exists('/etc/udev/rules.d/90-nic-offload-eth0.rules'));
  });

  it('nothing installed: a clear error, nothing written', async () => {
    const before = root.snapshot();
    await assert.rejects(persist('eth0', { rx: false }, { root: root.dir, apply: false }), { code: 'ERR_PERSIST_UNSUPPORTED' });
    assert.deepEqual(root.snapshot(), before);
  });

  it('ifupdown2 and a missing ethtool hook rule ifupdown out', async () => {
    addUdev(root, 241);
    addIfupdown(root);
    root.write('/etc/network/ifupdown2/ifupdown2.conf', 'addon_scripts_support=0\n');
    await assert.rejects(persist('eth0', { rx: false }, { root: root.dir, apply: false, backend: 'ifupdown' }), /ifupdown2 is installed/);
    root.clear();
    addUdev(root, 241);
    addIfupdown(root);
    fs.rmSync(root.path('/etc/network/if-up.d/ethtool'));
    const r = await persist('eth0', { rx: false }, { root: root.dir, apply: false });
    assert.equal(r.backend, 'udev');
    assert.match(r.reason, /ifupdown: \/etc\/network\/if-up.d\/ethtool is missing/);
  });

  it('interfaces without a source line for interfaces.d: ifupdown cannot hold it', async () => {
    addUdev(root, 241);
    addIfupdown(root, 'auto lo\niface lo inet loopback\n');
    await assert.rejects(persist('eth0', { rx: false }, { root: root.dir, apply: false, backend: 'ifupdown' }), /does not source/);
    // source-directory reads only run-parts names: a dot in the interface name is not read.
    addIfupdown(root, 'source-directory interfaces.d\n');
    fake.addDevice('eth0.5');
    assert.equal((await persist('eth0', { rx: false }, { root: root.dir, apply: false, backend: 'ifupdown' })).backend, 'ifupdown');
    await assert.rejects(persist('eth0.5', { rx: false }, { root: root.dir, apply: false, backend: 'ifupdown' }), /does not source/);
  });

  it('the hook cannot express names with "_": ifupdown refuses them, auto picks another backend', async () => {
    addUdev(root, 241);
    addIfupdown(root);
    await assert.rejects(persist('eth0', { 'tx-udp_tnl-segmentation': false }, { root: root.dir, apply: false, backend: 'ifupdown' }), /turns "_" into "-"/);
    const r = await persist('eth0', { 'tx-udp_tnl-segmentation': false }, { root: root.dir, apply: false });
    assert.equal(r.backend, 'udev');
  });
});

describe('persist: systemd .link placement and the naming trap', () => {
  let fake: PersistFake;
  let root: TempRoot;
  persistFixture('link', (f, r) => {
    fake = f;
    root = r;
    addUdev(root, 252);
  });

  const body = (p: string): string => root.read(p).split('\n').filter((l) => !l.startsWith('#')).join('\n');

  it("carries over 99-default.link's naming keys and matches the permanent MAC", async () => {
    addDefaultLink(root);
    const r = await persist('eth0', { rx: false, tx: false }, { root: root.dir, apply: false });
    assert.equal(r.backend, 'systemd-link');
    assert.deepEqual(
      r.files.map((f) => [f.path, f.action]),
      [['/etc/systemd/network/10-nic-offload-eth0.link', 'created'], ['/var/lib/nic-offload/persisted.json', 'created']],
    );
    assert.equal(
      body('/etc/systemd/network/10-nic-offload-eth0.link'),
      `[Match]\nPermanentMACAddress=${MAC}\n\n[Link]\nReceiveChecksumOffload=no\nTransmitChecksumOffload=no\n` +
        'NamePolicy=keep kernel database onboard slot path\nAlternativeNamesPolicy=database onboard slot path\nMACAddressPolicy=persistent\n',
    );
    assert.ok(r.notes.some((n) => n.includes('/usr/lib/systemd/network/99-default.link')));
  });

  it('sorts before a device-specific file that applies today and keeps its Name=', async () => {
    addDefaultLink(root);
    root.write('/etc/systemd/network/05-lan.link', `[Match]\nMACAddress=${MAC.toUpperCase()}\n\n[Link]\nName=lan0\n`);
    root.write('/etc/systemd/network/05-lan.link.d/mtu.conf', '[Link]\nMTUBytes=1400\n');
    const r = await persist('eth0', { gro: false }, { root: root.dir, apply: false });
    const file = '/etc/systemd/network/00-nic-offload-eth0.link';
    assert.equal(r.files[0].path, file);
    assert.equal(body(file), `[Match]\nPermanentMACAddress=${MAC}\n\n[Link]\nGenericReceiveOffload=no\nName=lan0\nMTUBytes=1400\n`);
  });

  it('a masked file displaces nothing (Raspberry Pi OS masks 99-default.link)', async () => {
    addDefaultLink(root);
    root.symlink('/dev/null', '/etc/systemd/network/99-default.link');
    await persist('eth0', { rx: false }, { root: root.dir, apply: false });
    assert.equal(body('/etc/systemd/network/10-nic-offload-eth0.link'), `[Match]\nPermanentMACAddress=${MAC}\n\n[Link]\nReceiveChecksumOffload=no\n`);
  });

  it('a file that may apply (Path= of an unknown device) is not guessed at', async () => {
    root.copyFromHost('/usr/lib/systemd/network/73-usb-net-by-mac.link');
    await assert.rejects(persist('eth0', { rx: false }, { root: root.dir, apply: false, backend: 'systemd-link' }), /may apply to eth0/);
    // A virtual device has no ID_PATH, so Path= cannot match it.
    fake.addDevice('veth1', { kind: 'veth' });
    const r = await persist('veth1', { rx: false }, { root: root.dir, apply: false, backend: 'systemd-link' });
    assert.match(root.read(r.files[0].path), /\nOriginalName=veth1\n/);
  });

  it('keys newer than the udev version are refused; tso is both TCP keys', async () => {
    root.clear();
    addUdev(root, 249);
    await assert.rejects(persist('eth0', { 'rx-gro-hw': false }, { root: root.dir, apply: false, backend: 'systemd-link' }), /needs 250/);
    const r = await persist('eth0', { tso: false }, { root: root.dir, apply: false, backend: 'systemd-link' });
    assert.match(root.read(r.files[0].path), /\nTCPSegmentationOffload=no\nTCP6SegmentationOffload=no\n/);
  });

  it('never overwrites or masks a .link file it did not write', async () => {
    root.write('/usr/lib/systemd/network/10-nic-offload-eth0.link', '[Match]\nOriginalName=eth0\n[Link]\nName=wan\n');
    const r = await persist('eth0', { rx: false }, { root: root.dir, apply: false });
    // That name is taken (and the file matches): ours must sort before it and keep Name=wan.
    assert.equal(r.files[0].path, '/etc/systemd/network/05-nic-offload-eth0.link');
    assert.match(root.read(r.files[0].path), /\nName=wan\n/);
  });
});
