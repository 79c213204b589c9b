// What persist writes and undoes: NetworkManager profiles edited in place (every other byte kept),
// idempotence, exact unpersist round trips for every backend, dry runs, merging, backend changes,
// injection attempts, and the live apply through the (fake) device.
import assert from 'assert/strict';
import * as fs from 'fs';
import { detectBackend, listPersisted, persist, reapply, unpersist } from '../../ts/persist';
import { addDefaultLink, addIfupdown, addNetworkManager, addUdev, TempRoot } from '../helpers/persist-roots';
import { PersistFake, persistFixture } from '../helpers/persist-fake';
import { nmcliReloadArgs } from '../../ts/persist/networkmanager';
import type { BackendName } from '../../ts/persist';

// A profile as a person might have written it: comments, odd spacing, groups out of NM's order.
const PROFILE = `# my wired profile
[connection]
id=Wired eth0
uuid=2f0f7c3e-3a4e-4f59-a6c8-6b1f7e0f2a10
type=ethernet
interface-name=eth0

[ipv4]
method = manual
address1=192.168.1.10/24,192.168.1.1

[ethernet]
mtu=1500
`;
const PROFILE_PATH = '/etc/NetworkManager/system-connections/wired.nmconnection';
/** PROFILE with an [ethtool] group where NM's writer puts it (groups by name, after [connection]). */
const withEthtool = (keys: string): string => PROFILE.replace('[ipv4]\n', `[ethtool]\n${keys}\n[ipv4]\n`);

/** The snapshot without the package's state directory (its lock file stays after unpersist). */
function tree(root: TempRoot): Record<string, string> {
  return Object.fromEntries(Object.entries(root.snapshot()).filter(([k]) => !k.startsWith('/var/lib/nic-offload')));
}

describe('persist: files written and undone (temp trees, fake device)', () => {
  let fake: PersistFake;
  let root: TempRoot;
  persistFixture('files', (f, r) => {
    fake = f;
    root = r;
  });

  describe('NetworkManager profiles', () => {
    beforeEach(() => {
      addUdev(root, 252);
      addNetworkManager(root);
      root.write(PROFILE_PATH, PROFILE, 0o600);
    });

    it('adds only the [ethtool] keys, 0600, and unpersist gives back the exact bytes', async () => {
      const pristine = tree(root);
      const r = await persist('eth0', { rx: false }, { root: root.dir, apply: false });
      assert.equal(r.backend, 'networkmanager');
      assert.equal(root.read(PROFILE_PATH), withEthtool('feature-rx=false\n'));
      assert.equal(fs.statSync(root.path(PROFILE_PATH)).mode & 0o777, 0o600);
      await persist('eth0', { tx: false, gro: true }, { root: root.dir, apply: false });
      assert.equal(root.read(PROFILE_PATH), withEthtool('feature-gro=true\nfeature-rx=false\nfeature-tx=false\n'));
      const u = await unpersist('eth0', undefined, { root: root.dir });
      assert.deepEqual(u.files.map((f) => f.action), ['updated', 'removed']);
      assert.deepEqual(tree(root), pristine);
    });

    it("keeps a person's later edits when undoing, and restores values it replaced", async () => {
      root.write(PROFILE_PATH, PROFILE + '\n[ethtool]\nfeature-rx=true\nfeature-sg=false\n', 0o600);
      await persist('eth0', { rx: false, tso: false }, { root: root.dir, apply: false });
      assert.equal(root.read(PROFILE_PATH), PROFILE + '\n[ethtool]\nfeature-rx=false\nfeature-sg=false\nfeature-tso=false\n');
      // Someone edits the profile afterwards.
      const edited = root.read(PROFILE_PATH).replace('mtu=1500', 'mtu=9000');
      root.write(PROFILE_PATH, edited, 0o600);
      await unpersist('eth0', ['tso'], { root: root.dir });
      assert.equal(root.read(PROFILE_PATH), edited.replace('feature-tso=false\n', ''));
      await unpersist('eth0', [], { root: root.dir });
      assert.equal(root.read(PROFILE_PATH), (PROFILE + '\n[ethtool]\nfeature-rx=true\nfeature-sg=false\n').replace('mtu=1500', 'mtu=9000'));
    });

    it('edits a profile as bytes: non-UTF-8 bytes, owner, group and mode stay; unpersist gives back the exact bytes', async () => {
      // Latin-1 bytes E9 and FF (not UTF-8) in the id, a UTF-8 comment at the end.
      const odd = (text: string): Buffer => Buffer.concat([Buffer.from(text.replace('id=Wired eth0', 'id=Caf\u00e9 \u00ff'), 'latin1'), Buffer.from('# \u00fc stays UTF-8\n', 'utf8')]);
      const file = root.path(PROFILE_PATH);
      fs.writeFileSync(file, odd(PROFILE));
      fs.chownSync(file, 65534, 65534); // nobody:nogroup
      fs.chmodSync(file, 0o640);
      const stat = (): [number, number, number] => {
        const st = fs.statSync(file);
        return [st.uid, st.gid, st.mode & 0o7777];
      };
      await persist('eth0', { rx: false }, { root: root.dir, apply: false });
      assert.deepEqual(fs.readFileSync(file), odd(withEthtool('feature-rx=false\n')));
      assert.deepEqual(stat(), [65534, 65534, 0o640]);
      await persist('eth0', { tx: false }, { root: root.dir, apply: false });
      assert.deepEqual(fs.readFileSync(file), odd(withEthtool('feature-rx=false\nfeature-tx=false\n')));
      await unpersist('eth0', undefined, { root: root.dir });
      assert.deepEqual(fs.readFileSync(file), odd(PROFILE));
      assert.deepEqual(stat(), [65534, 65534, 0o640]);
      // Edited by someone in between: only the keys go, the other bytes stay as they are.
      await persist('eth0', { rx: false }, { root: root.dir, apply: false });
      const edited = Buffer.from(fs.readFileSync(file).toString('latin1').replace('mtu=1500', 'mtu=9000'), 'latin1');
      fs.writeFileSync(file, edited);
      await unpersist('eth0', undefined, { root: root.dir });
      assert.deepEqual(fs.readFileSync(file), Buffer.from(edited.toString('latin1').replace('feature-rx=false\n', ''), 'latin1'));
      assert.deepEqual(stat(), [65534, 65534, 0o640]);
    });

    it("keeps the file's line ending (CRLF) in the lines it adds, and an unterminated last line", async () => {
      const crlf = (t: string): string => t.replace(/\n/g, '\r\n');
      root.write(PROFILE_PATH, crlf(PROFILE), 0o600);
      await persist('eth0', { rx: false }, { root: root.dir, apply: false });
      assert.equal(root.read(PROFILE_PATH), crlf(withEthtool('feature-rx=false\n')));
      await persist('eth0', { tx: false }, { root: root.dir, apply: false });
      assert.equal(root.read(PROFILE_PATH), crlf(withEthtool('feature-rx=false\nfeature-tx=false\n')));
      await unpersist('eth0', undefined, { root: root.dir });
      assert.equal(root.read(PROFILE_PATH), crlf(PROFILE));
      // A value it replaces keeps its CR; a group it appends at the end is CRLF too.
      const tail = crlf(PROFILE.replace('[ethernet]\nmtu=1500\n', '') + '\n[ethtool]\nfeature-rx=true\n');
      root.write(PROFILE_PATH, tail, 0o600);
      await persist('eth0', { rx: false, tso: false }, { root: root.dir, apply: false });
      assert.equal(root.read(PROFILE_PATH), tail.replace('feature-rx=true\r\n', 'feature-rx=false\r\nfeature-tso=false\r\n'));
      await unpersist('eth0', undefined, { root: root.dir });
      const open = PROFILE.trimEnd(); // no newline after "mtu=1500"
      root.write(PROFILE_PATH, open, 0o600);
      await persist('eth0', { rx: false }, { root: root.dir, apply: false });
      assert.equal(root.read(PROFILE_PATH), withEthtool('feature-rx=false\n').trimEnd());
      await unpersist('eth0', undefined, { root: root.dir });
      assert.equal(root.read(PROFILE_PATH), open);
    });

    it('writes its own profile when none binds the device', async () => {
      fs.rmSync(root.path(PROFILE_PATH));
      const r = await persist('eth0', { rx: false }, { root: root.dir, apply: false });
      const own = '/etc/NetworkManager/system-connections/nic-offload-eth0.nmconnection';
      assert.equal(r.files[0].path, own);
      assert.equal(r.files[0].action, 'created');
      assert.equal(fs.statSync(root.path(own)).mode & 0o777, 0o600);
      assert.match(root.read(own), /^\[connection\]\nid=nic-offload eth0\nuuid=[0-9a-f-]{36}\ntype=ethernet\ninterface-name=eth0\n\n\[ethernet\]\n\n\[ethtool\]\nfeature-rx=false\n\n\[ipv4\]\nmethod=auto\n/);
      await unpersist('eth0', undefined, { root: root.dir });
      assert.equal(root.exists(own), false);
    });

    it('refuses names NetworkManager has no key for (ufo) and overlapping opposite values', async () => {
      await assert.rejects(persist('eth0', { ufo: false }, { root: root.dir, apply: false, backend: 'networkmanager' }), /no ethtool.feature-\* key for ufo/);
      await assert.rejects(
        persist('eth0', { tx: false, 'tx-checksum-ipv4': true }, { root: root.dir, apply: false, backend: 'networkmanager' }),
        /"tx off" and "tx-checksum-ipv4 on" overlap/,
      );
    });
  });

  // One tree per backend; each must be idempotent and undo to the byte.
  const setups: Record<BackendName, (r: TempRoot) => void> = {
    ifupdown: (r) => {
      addUdev(r, 241);
      addIfupdown(r, '# my interfaces\nsource /etc/network/interfaces.d/*\n\nauto eth0\niface eth0 inet dhcp\n');
    },
    'systemd-link': (r) => {
      addUdev(r, 252);
      addDefaultLink(r);
    },
    networkmanager: (r) => {
      addUdev(r, 252);
      addNetworkManager(r);
      r.write(PROFILE_PATH, PROFILE, 0o600);
    },
    udev: (r) => addUdev(r, 252),
  };
  for (const [backend, setup] of Object.entries(setups) as Array<[BackendName, (r: TempRoot) => void]>) {
    it(`${backend}: the second persist writes nothing, a dry run changes nothing, unpersist restores the tree`, async () => {
      setup(root);
      const pristine = tree(root);
      // udev is the fallback: auto picks it only when nothing else fits, so ask for it here.
      const pick = backend === 'udev' ? backend : 'auto';
      const dry = await persist('eth0', { rx: false, tx: false }, { root: root.dir, dryRun: true, backend: pick });
      assert.equal(dry.backend, backend);
      assert.equal(dry.changed, true);
      assert.ok(dry.files.every((f) => f.action === 'unchanged' || f.diff));
      assert.deepEqual(root.snapshot(), { ...pristine }); // not even the state directory
      assert.equal(fake.calls.filter((c) => c.fn === 'setFeatures').length, 0);

      const first = await persist('eth0', { rx: false, tx: false }, { root: root.dir, backend: pick });
      assert.equal(first.backend, backend);
      assert.equal(first.changed, true);
      assert.equal(fake.active('eth0', 'rx-checksum'), false);
      const afterFirst = root.snapshot();
      const mtimes = Object.keys(afterFirst).filter((k) => !k.endsWith('/') && !k.endsWith('lock')).map((k) => fs.lstatSync(root.path(k)).mtimeMs);

      const second = await persist('eth0', { rx: false, tx: false }, { root: root.dir, backend: pick });
      assert.equal(second.changed, false);
      assert.ok(second.files.every((f) => f.action === 'unchanged'));
      assert.deepEqual(root.snapshot(), afterFirst);
      assert.deepEqual(Object.keys(afterFirst).filter((k) => !k.endsWith('/') && !k.endsWith('lock')).map((k) => fs.lstatSync(root.path(k)).mtimeMs), mtimes);

      assert.deepEqual(listPersisted({ root: root.dir }).map((e) => [e.ifname, e.backend, e.settings]), [['eth0', backend, { rx: false, tx: false }]]);
      const dryUndo = await unpersist('eth0', undefined, { root: root.dir, dryRun: true });
      assert.equal(dryUndo.changed, true);
      assert.deepEqual(root.snapshot(), afterFirst);
      await unpersist('eth0', undefined, { root: root.dir });
      assert.deepEqual(tree(root), pristine);
      assert.deepEqual(listPersisted({ root: root.dir }), []);
      const again = await unpersist('eth0', undefined, { root: root.dir });
      assert.equal(again.changed, false);
    });
  }

  it('settings add up across calls; unpersist of some names keeps the rest', async () => {
    addUdev(root, 252);
    await persist('eth0', { rx: false }, { root: root.dir, apply: false });
    await persist('eth0', { 'tx-checksumming': false, 'rx-checksum': true }, { root: root.dir, apply: false });
    assert.deepEqual(listPersisted({ root: root.dir, ifname: 'eth0' })[0].settings, { tx: false, rx: true });
    const r = await unpersist('eth0', ['tx-checksumming'], { root: root.dir });
    assert.deepEqual(r.settings, { rx: true });
    assert.match(root.read('/etc/systemd/network/10-nic-offload-eth0.link'), /\nReceiveChecksumOffload=yes\n(?!Transmit)/);
  });

  it('moving to another backend removes the old files', async () => {
    addUdev(root, 252);
    await persist('eth0', { rx: false }, { root: root.dir, apply: false, backend: 'udev' });
    assert.ok(root.exists('/etc/udev/rules.d/90-nic-offload-eth0.rules'));
    const r = await persist('eth0', { rx: false }, { root: root.dir, apply: false });
    assert.equal(r.backend, 'systemd-link');
    assert.deepEqual(r.files.map((f) => [f.path, f.action]), [
      ['/etc/udev/rules.d/90-nic-offload-eth0.rules', 'removed'],
      ['/etc/systemd/network/10-nic-offload-eth0.link', 'created'],
      ['/var/lib/nic-offload/persisted.json', 'updated'],
    ]);
  });

  it('a live change that fails leaves every file as it was (no temp file either)', async () => {
    addUdev(root, 252);
    addDefaultLink(root);
    const before = tree(root);
    fake.failSet = 1; // EPERM
    await assert.rejects(persist('eth0', { rx: false }, { root: root.dir }), { code: 'EPERM' });
    assert.deepEqual(tree(root), before);
    const state = root.exists('/var/lib/nic-offload') ? fs.readdirSync(root.path('/var/lib/nic-offload')) : [];
    assert.deepEqual(state.filter((n) => n !== 'lock'), [], 'no state file, no temp file');
    assert.equal(root.exists('/etc/systemd/network'), false, 'the directory made for the file went again');
  });

  it('when putting the files in place fails after the live change, the device and the files are rolled back', async () => {
    addUdev(root, 252);
    fs.mkdirSync(root.path('/etc/udev/rules.d'), { recursive: true });
    const before = tree(root);
    const rule = '/etc/udev/rules.d/90-nic-offload-eth0.rules';
    // Between the live change and the renames, something puts a directory where the rule goes.
    const set = fake.setFeaturesAsync.bind(fake);
    fake.setFeaturesAsync = async (...args) => {
      const r = await set(...args);
      root.write(`${rule}/x`, 'in the way\n');
      return r;
    };
    await assert.rejects(persist('eth0', { rx: false, sg: false }, { root: root.dir, backend: 'udev' }), (e: Error & { code: string }) => {
      assert.equal(e.code, 'EISDIR');
      assert.match(e.message, /^cannot write \/etc\/udev\/rules\.d\/90-nic-offload-eth0\.rules under .*; nothing was changed$/);
      return true;
    });
    assert.equal(fake.active('eth0', 'rx-checksum'), true, 'rolled back');
    assert.equal(fake.active('eth0', 'tx-scatter-gather'), true);
    fs.rmSync(root.path(rule), { recursive: true });
    assert.deepEqual(tree(root), before, 'the state file written first was taken back');
    assert.deepEqual(fs.readdirSync(root.path('/var/lib/nic-offload')), ['lock']);
  });

  it('refuses files it did not write and masks, writing nothing', async () => {
    addUdev(root, 241);
    addIfupdown(root);
    root.write('/etc/network/interfaces.d/eth0', 'iface eth0 inet dhcp\n');
    let before = root.snapshot();
    await assert.rejects(persist('eth0', { rx: false }, { root: root.dir, backend: 'ifupdown' }), { code: 'ERR_PERSIST_REFUSED' });
    assert.deepEqual(root.snapshot(), before);
    assert.equal(fake.active('eth0', 'rx-checksum'), true); // the live change did not happen either
    fs.rmSync(root.path('/etc/network/interfaces.d/eth0'));
    root.symlink('/dev/null', '/etc/udev/rules.d/90-nic-offload-eth0.rules');
    before = root.snapshot();
    await assert.rejects(persist('eth0', { rx: false }, { root: root.dir, apply: false, backend: 'udev' }), /masked/);
    assert.deepEqual(root.snapshot(), before);
  });

  it('rejects injection attempts in names, and bad options, before anything is written', async () => {
    addUdev(root, 252);
    addIfupdown(root);
    const before = root.snapshot();
    const badIfnames = ['eth0\nRUN+="/bin/sh"', 'a"b', 'e$x', 'e%k', 'eth*', 'a b', '../x', 'eth0;reboot', '-eth0', '', 'abcdefghijklmnop'];
    for (const name of badIfnames) {
      for (const backend of ['auto', 'udev', 'ifupdown', 'systemd-link'] as const) {
        await assert.rejects(persist(name, { rx: false }, { root: root.dir, apply: false, backend }), { code: 'ERR_INVALID_IFNAME' }, JSON.stringify(name));
      }
    }
    const badFeatures = ['rx\nRUN+="/bin/sh -c reboot"', 'rx=1', 'rx off', '$(reboot)', 'RX', 'offload-rx', '', 'rx"'];
    for (const f of badFeatures) {
      for (const backend of ['auto', 'udev', 'ifupdown', 'systemd-link'] as const) {
        await assert.rejects(persist('eth0', { [f]: false }, { root: root.dir, apply: false, backend }), { code: 'ERR_UNKNOWN_FEATURE' }, JSON.stringify(f));
      }
      await assert.rejects(unpersist('eth0', [f], { root: root.dir }), { code: 'ERR_UNKNOWN_FEATURE' });
    }
    await assert.rejects(persist('eth0', { rx: 'off' as unknown as boolean }, { root: root.dir }), { code: 'ERR_INVALID_ARG_TYPE' });
    await assert.rejects(persist('eth0', {}, { root: root.dir }), { code: 'ERR_INVALID_ARG_TYPE' });
    await assert.rejects(persist('eth0', { rx: false }, { root: root.dir, backend: 'netplan' as BackendName }), { code: 'ERR_INVALID_BACKEND' });
    await assert.rejects(persist('eth0', { rx: false }, { root: 'relative/dir' }), { code: 'ERR_INVALID_ROOT' });
    await assert.rejects(persist('eth0', { rx: false }, { root: root.path('/missing') }), { code: 'ERR_INVALID_ROOT' });
    assert.deepEqual(root.snapshot(), before);
    assert.equal(fake.calls.filter((c) => c.fn === 'setFeatures').length, 0);
  });

  it("an empty root or netns is refused, never taken for this system's", async () => {
    addUdev(root, 252);
    await persist('eth0', { rx: false }, { root: root.dir, apply: false });
    const before = root.snapshot();
    const calls = fake.calls.length;
    // Dry runs only: were '' taken for '/', nothing may be written to this machine's /etc.
    const emptyRoot: Array<() => unknown> = [
      () => persist('eth0', { rx: false }, { root: '', dryRun: true }),
      () => unpersist('eth0', undefined, { root: '', dryRun: true }),
      () => detectBackend('eth0', { root: '' }),
      () => listPersisted({ root: '' }),
      () => reapply('eth0', { root: '' }),
    ];
    for (const call of emptyRoot) await assert.rejects(async () => call(), { code: 'ERR_INVALID_ROOT' }, call.toString());
    const emptyNetns: Array<() => unknown> = [
      () => persist('eth0', { rx: false }, { root: root.dir, netns: '' }),
      () => unpersist('eth0', undefined, { root: root.dir, netns: '' }),
      () => detectBackend('eth0', { root: root.dir, netns: '' }),
      () => reapply('eth0', { root: root.dir, netns: '' }),
    ];
    for (const call of emptyNetns) await assert.rejects(async () => call(), { code: 'ERR_INVALID_NETNS' }, call.toString());
    assert.deepEqual(root.snapshot(), before);
    assert.equal(fake.calls.length, calls, 'the device was not even read');
  });

  it('an absent device: an error when applying, fine with apply: false (image builders)', async () => {
    addUdev(root, 252);
    const before = root.snapshot();
    await assert.rejects(persist('eth9', { rx: false }, { root: root.dir }), { code: 'ENODEV' });
    assert.deepEqual(root.snapshot(), before);
    const r = await persist('eth9', { rx: false }, { root: root.dir, apply: false });
    assert.match(root.read(r.files[0].path), /\nOriginalName=eth9\n/);
  });

  it('a corrupt state file is reported, not overwritten', async () => {
    addUdev(root, 252);
    root.write('/var/lib/nic-offload/persisted.json', '{"version": 1, "interfaces": {"eth0": {"backend": "rm -rf /"}}}');
    const before = root.snapshot();
    await assert.rejects(persist('eth0', { rx: false }, { root: root.dir, apply: false }), { code: 'ERR_PERSIST_STATE' });
    assert.deepEqual(root.snapshot(), before);
  });
});

describe('persist: how a running NetworkManager is told (nmcli arguments)', () => {
  const edit = (path: string, before: string | null, after: string | null) => ({
    path,
    before: before === null ? null : Buffer.from(before),
    after: after === null ? null : Buffer.from(after),
    mode: 0o600,
  });
  const P = '/etc/NetworkManager/system-connections';

  it('loads the profiles that changed, reloads everything when one was deleted, and says nothing otherwise', () => {
    assert.deepEqual(nmcliReloadArgs({ edits: [edit(`${P}/a.nmconnection`, 'x', 'y'), edit(`${P}/b.nmconnection`, null, 'z')] }), [
      'connection',
      'load',
      `${P}/a.nmconnection`,
      `${P}/b.nmconnection`,
    ]);
    assert.deepEqual(nmcliReloadArgs({ edits: [edit(`${P}/a.nmconnection`, 'x', 'y'), edit(`${P}/nic-offload-eth0.nmconnection`, 'z', null)] }), ['connection', 'reload']);
    assert.equal(nmcliReloadArgs({ edits: [edit(`${P}/a.nmconnection`, 'x', 'x'), edit(`${P}/b.nmconnection`, null, null)] }), undefined);
    assert.deepEqual(nmcliReloadArgs({ edits: [edit(`${P}/a.nmconnection`, 'x', 'x'), edit(`${P}/c.nmconnection`, 'x', 'y')] }), ['connection', 'load', `${P}/c.nmconnection`]);
  });
});
