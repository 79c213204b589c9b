// NetworkManager backend against the real consumer: the profile persist writes is read back
// unchanged by NetworkManager's own keyfile code through `nmcli --offline` (NM 1.42 supports
// --offline only for `connection add` and `connection modify`, which read a keyfile on stdin and
// print the keyfile NM would write). The device is a veth named eth7, which NM would manage.
import assert from 'assert/strict';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import { persist, unpersist } from '../../ts/persist';
import { NM_FEATURES } from '../../ts/persist/networkmanager';
import { releaseSockets } from '../../ts/core/device';
import { addIfupdown, addNetworkManager, addUdev, ethtoolFeatures, TempRoot } from '../helpers/persist-roots';
import { must, run, TestNetns } from '../helpers/netns';

const PROFILE_PATH = '/etc/NetworkManager/system-connections/Wired eth7.nmconnection';

/** The keyfile NM writes after reading `text` (a no-op modify: the id set to itself). */
function nmReadBack(text: string, id: string): string {
  const r = run('nmcli', ['--offline', 'connection', 'modify', 'connection.id', id], { input: text });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout;
}

describe('persist networkmanager: nmcli --offline reads the profile back unchanged (namespace)', function () {
  this.timeout(60000);
  let ns: TestNetns;
  let root: TempRoot;
  let fixture: string;
  before(() => {
    // A profile as NetworkManager itself writes it.
    fixture = must('nmcli', ['--offline', 'connection', 'add', 'type', 'ethernet', 'con-name', 'Wired eth7', 'ifname', 'eth7',
      'ipv4.method', 'manual', 'ipv4.addresses', '192.0.2.7/24', 'connection.uuid', '3d0f1c52-5b9e-4e1f-8a57-1c0e6f2b9a31']);
  });
  beforeEach(() => {
    ns = TestNetns.create('nm');
    ns.addVeth('eth7', 'eth7p');
    root = new TempRoot('nm');
    addUdev(root, 252);
    addNetworkManager(root);
    root.write(PROFILE_PATH, fixture, 0o600);
  });
  afterEach(() => {
    root?.remove();
    releaseSockets();
    ns?.destroy();
  });

  it('edits the owning profile; NM reads it back byte for byte; unpersist restores the original', async () => {
    const r = await persist('eth7', { rx: false, tx: false, 'rx-gro-hw': false }, { root: root.dir, netns: ns.name });
    assert.equal(r.backend, 'networkmanager');
    const f = ethtoolFeatures(ns, 'eth7');
    assert.equal(f['rx-checksumming'], false, 'applied live');
    assert.equal(f['tx-checksumming'], false);
    const written = root.read(PROFILE_PATH);
    assert.equal(fs.statSync(root.path(PROFILE_PATH)).mode & 0o777, 0o600);
    assert.equal(nmReadBack(written, 'Wired eth7'), written);
    assert.match(written, /\n\[ethtool\]\nfeature-rx=false\nfeature-rx-gro-hw=false\nfeature-tx=false\n\n/);
    // The fixture itself reads back unchanged (so the check above means something).
    assert.equal(nmReadBack(fixture, 'Wired eth7'), fixture);

    await unpersist('eth7', undefined, { root: root.dir });
    assert.equal(root.read(PROFILE_PATH), fixture);
  });

  it('a CRLF profile with non-UTF-8 bytes, owned by nobody:nogroup 0640: NM reads the added keys; every other byte, the owner and the mode stay', async () => {
    const comment = Buffer.from('# r\xe9seau du bureau\r\n', 'latin1'); // latin-1, not UTF-8: NM skips comments
    const original = Buffer.concat([comment, Buffer.from(fixture.replace(/\n/g, '\r\n'))]);
    const file = root.path(PROFILE_PATH);
    fs.writeFileSync(file, original);
    fs.chownSync(file, 65534, 65534);
    fs.chmodSync(file, 0o640);
    await persist('eth7', { rx: false, tx: false }, { root: root.dir, netns: ns.name });
    assert.equal(ethtoolFeatures(ns, 'eth7')['rx-checksumming'], false, 'applied live');
    const written = fs.readFileSync(file);
    assert.deepEqual(written.subarray(0, comment.length), comment);
    const text = written.subarray(comment.length).toString('utf8');
    assert.doesNotMatch(text, /[^\r]\n/, 'every line ends in CRLF');
    // NetworkManager's keyfile code reads the keys; what it would write is the LF file plus them.
    const lf = text.replace(/\r\n/g, '\n');
    assert.match(lf, /\n\[ethtool\]\nfeature-rx=false\nfeature-tx=false\n\n/);
    const r = spawnSync('nmcli', ['--offline', 'connection', 'modify', 'connection.id', 'Wired eth7'], { input: written, encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, lf);
    const st = fs.statSync(file);
    assert.deepEqual([st.uid, st.gid, st.mode & 0o7777], [65534, 65534, 0o640]);
    await unpersist('eth7', undefined, { root: root.dir });
    assert.deepEqual(fs.readFileSync(file), original);
    const after = fs.statSync(file);
    assert.deepEqual([after.uid, after.gid, after.mode & 0o7777], [65534, 65534, 0o640]);
  });

  it('its own profile (no profile binds the device) is what NM would write', async () => {
    fs.rmSync(root.path(PROFILE_PATH));
    const r = await persist('eth7', { rx: false }, { root: root.dir, netns: ns.name, apply: false });
    const own = r.files[0].path;
    assert.equal(own, '/etc/NetworkManager/system-connections/nic-offload-eth7.nmconnection');
    const text = root.read(own);
    assert.equal(nmReadBack(text, 'nic-offload eth7'), text);
  });

  it('never writes an ifupdown stanza for the interface NM manages', async () => {
    addIfupdown(root);
    const before = root.snapshot();
    await assert.rejects(persist('eth7', { rx: false }, { root: root.dir, netns: ns.name, backend: 'ifupdown' }), /NetworkManager manages eth7/);
    assert.deepEqual(root.snapshot(), before);
    assert.equal(ethtoolFeatures(ns, 'eth7')['rx-checksumming'], true, 'nothing applied either');
    // The same veth under another name is left unmanaged by NM's udev rules: then ifupdown may.
    ns.ip('link', 'add', 'vx0', 'type', 'veth', 'peer', 'name', 'vx1');
    const r = await persist('vx0', { rx: false }, { root: root.dir, netns: ns.name, backend: 'ifupdown', apply: false });
    assert.equal(r.backend, 'ifupdown');
  });

  it("every feature key the backend writes is one NetworkManager knows", () => {
    const args = [...NM_FEATURES].flatMap((k) => [`ethtool.feature-${k}`, 'off']);
    const out = must('nmcli', ['--offline', 'connection', 'add', 'type', 'ethernet', 'con-name', 'all', 'ifname', 'eth7', ...args]);
    const keys = out.split('\n').filter((l) => l.startsWith('feature-')).map((l) => l.slice('feature-'.length, l.indexOf('=')));
    assert.deepEqual(keys.sort(), [...NM_FEATURES].sort());
  });
});
