// The binding contract (test/contract/binding.contract.ts) against the addon, in a throwaway
// namespace holding a veth pair: the same suite the fake passes.
import { binding } from '../../ts/binding';
import { bindingContract } from '../contract/binding.contract';
import { TestNetns } from '../helpers/netns';

let ns: TestNetns | undefined;

bindingContract(
  'the native addon (veth pair in a namespace)',
  () => {
    ns = TestNetns.create('contract');
    ns.addVeth('v0', 'v1');
    return { binding: binding(), netns: `/var/run/netns/${ns.name}`, ifnames: ['v0', 'v1'], feature: 'rx-gro' };
  },
  () => {
    binding().closeSockets();
    ns?.destroy();
  },
);
