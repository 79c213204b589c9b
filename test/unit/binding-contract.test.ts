// The binding contract (test/contract/binding.contract.ts) against FakeBinding, the stand-in
// every unit test of the device API uses.
import { bindingContract } from '../contract/binding.contract';
import { fakeKernel } from '../helpers/fake-binding';

const NAMES = ['tx-scatter-gather', '', 'highdma', 'rx-gro', 'tx-tcp-segmentation', ...Array.from({ length: 30 }, (_, i) => `x-filler-${i}`), 'rx-checksum'];

bindingContract('FakeBinding', () => {
  const binding = fakeKernel(NAMES, {
    neverChange: ['highdma'],
    changeable: ['tx-scatter-gather', 'rx-gro', 'tx-tcp-segmentation', 'rx-checksum'],
    devices: { v0: [], v1: [] },
  });
  return { binding, netns: '/var/run/netns/fake', ifnames: ['v0', 'v1'], feature: 'rx-gro' };
});
