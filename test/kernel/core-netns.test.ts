// Network namespaces: the same interface name in two namespaces is read and changed
// independently, by name or by path, and a re-created namespace is not confused with the old one.
import assert from 'assert/strict';
import { spawn } from 'child_process';
import * as api from '../../ts/index';
import { TestNetns } from '../helpers/netns';

describe('core: network namespaces (real kernel)', () => {
  let a: TestNetns;
  let b: TestNetns;
  beforeEach(() => {
    a = TestNetns.create('nsa');
    b = TestNetns.create('nsb');
    a.addVeth('v0', 'v1');
    b.addVeth('v0', 'v1');
  });
  afterEach(() => {
    api.releaseSockets();
    a.destroy();
    b.destroy();
  });

  it('changes v0 in one namespace and leaves v0 in the other alone', async () => {
    const beforeB = api.getFeatures('v0', { netns: b.name });
    assert.equal(beforeB['tx-checksum-ip-generic']!.active, true);
    await api.setFeatures('v0', { tx: false }, { netns: a.name });
    assert.equal(api.getFeatures('v0', { netns: a.name })['tx-checksum-ip-generic']!.active, false);
    assert.deepEqual(api.getFeatures('v0', { netns: b.name }), beforeB);
    assert.match(a.ethtool('-k', 'v0').stdout, /^tx-checksumming: off$/m);
    assert.match(b.ethtool('-k', 'v0').stdout, /^tx-checksumming: on$/m);
  });

  it('accepts a namespace file path: /var/run/netns/NAME and /proc/PID/ns/net', async () => {
    await api.setFeatures('v0', { gro: false }, { netns: `/var/run/netns/${a.name}` });
    assert.equal(api.getFeatures('v0', { netns: a.name })['rx-gro']!.active, false);
    const sleeper = spawn('ip', ['netns', 'exec', b.name, 'sleep', '30'], { stdio: 'ignore' });
    try {
      // ip netns exec execs sleep in place: the pid is the namespace member once it has entered
      const nsPath = `/proc/${sleeper.pid}/ns/net`;
      for (let i = 0; i < 100 && !api.listInterfaces({ netns: nsPath }).includes('v0'); i++) await new Promise((r) => setTimeout(r, 20));
      assert.deepEqual(api.listInterfaces({ netns: nsPath }), api.listInterfaces({ netns: b.name }));
      await api.setFeatures('v1', { 'tx-nocache-copy': true }, { netns: nsPath });
      assert.equal(api.getFeatures('v1', { netns: b.name })['tx-nocache-copy']!.active, true);
    } finally {
      sleeper.kill();
    }
  });

  it('sees the new namespace when one is deleted and re-created under the same name', async () => {
    const name = a.name;
    assert.deepEqual(api.listInterfaces({ netns: name }), ['lo', 'v1', 'v0']);
    api.getFeatures('v0', { netns: name }); // caches a socket in the old namespace
    a.destroy();
    assert.throws(() => api.getFeatures('v0', { netns: name }), { code: 'ENOENT' });
    const again = TestNetns.createNamed(name);
    try {
      again.addVeth('v0', 'v9');
      again.ethtool('-K', 'v0', 'gro', 'off');
      assert.equal(api.getFeatures('v0', { netns: name })['rx-gro']!.active, false);
      assert.deepEqual(api.listInterfaces({ netns: name }).sort(), ['lo', 'v0', 'v9']);
    } finally {
      again.destroy();
    }
  });

  it('the caller\'s own namespace is used when netns is omitted (read only here)', () => {
    assert.ok(api.listInterfaces().includes('lo'));
    assert.deepEqual(api.getFeatures('lo'), api.getFeatures('lo', { netns: undefined }));
    // An empty name is what an unset variable gives: refused, never taken for "here".
    assert.throws(() => api.getFeatures('lo', { netns: '' }), { code: 'ERR_INVALID_NETNS' });
  });
});
