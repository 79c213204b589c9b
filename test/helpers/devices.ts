import type { TestNetns } from './netns';

export const DEVICES = ['lo', 'v0', 'v1', 'br0', 'tap0', 'vx0'];

/** A namespace with a veth pair (v1 a port of bridge br0), a tap and a VXLAN device. */
export function makeDevices(ns: TestNetns): void {
  ns.addVeth('v0', 'v1');
  ns.addBridge('br0');
  ns.ip('link', 'set', 'v1', 'master', 'br0');
  ns.addTap('tap0');
  ns.ip('link', 'add', 'vx0', 'type', 'vxlan', 'id', '42', 'dstport', '4789');
  ns.up('v0', 'v1', 'br0');
}
