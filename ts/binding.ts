// The only file that touches the loaded .node object. Everything above it uses this typed
// interface, which a fake (test/helpers/fake-binding.ts) implements too.
import * as path from 'path';
import { ErrorCode, NicOffloadError } from './errors';

export interface NativeDriverInfo {
  driver: string;
  version: string;
  firmwareVersion: string;
  busInfo: string;
  expansionRomVersion: string;
}

export interface NativeLink {
  index: number;
  name: string;
  /** ifindex of the bridge/bond this device is a port of; 0 for none. */
  master: number;
  /** IFLA_LINK: for a vlan, macvlan, ipvlan… the ifindex of the device it sits on; for a veth, its
   *  peer's. 0 for none, or when that device is in another namespace. */
  link: number;
  /** rtnetlink link kind: 'veth', 'bridge', 'tun', 'bond', …; '' for plain hardware NICs. */
  kind: string;
  /** Current MAC address (aa:bb:cc:dd:ee:ff), '' if none. */
  address: string;
  /** Permanent MAC address (Linux >= 5.6, hardware NICs), '' if unknown. */
  permAddress: string;
}

/** A libuv poll handle on a descriptor (epoll): `onReady(0)` while it is readable, `onReady(-errno)`
 *  once when the kernel flags an error (the watch is then stopped: read, then start() again). */
export interface NativeFdWatch {
  start(): void;
  stop(): void;
  ref(): void;
  unref(): void;
  /** Idempotent; the object must not be used afterwards. */
  close(): void;
}

/**
 * The contract every binding keeps (test/contract/binding.contract.ts runs it against the addon
 * and against test/helpers/fake-binding.ts):
 *
 * - `netns` is '' for the caller's own namespace or the path of a namespace file, used whole (a
 *   path is never shortened). A path that is not a network namespace file (a FIFO, a device, a
 *   regular file, another namespace type) fails with errno EINVAL, syscall 'setns', without
 *   blocking; a missing one with ENOENT ('statx' or 'open').
 * - Every call throws an Error carrying `errno` (a positive number), `syscall` and, for ioctls,
 *   `command` on failure.
 * - `setFeatures` and `setFeaturesAsync` copy `valid` and `requested` before they return: the
 *   caller may reuse or change both arrays at once, even while the Promise is pending.
 * - `closeSockets` may be called at any time from any thread: a cached socket is closed once no
 *   call is using it any more (a call in flight keeps its socket), and later calls make new ones.
 */
export interface NativeBinding {
  /** ETHTOOL_GSSET_INFO + ETHTOOL_GSTRINGS(ETH_SS_FEATURES); '' marks a hole. */
  featureNames(netns: string, ifname: string): string[];
  /** ETHTOOL_GFEATURES into blocks of 4 words {available, requested, active, never_changed};
   *  returns the kernel's word count (may exceed blocks.length / 4: call again with room). */
  getFeatures(netns: string, ifname: string, blocks: Uint32Array): number;
  /** ETHTOOL_SFEATURES; returns the ioctl's result: bit 0 UNSUPPORTED, bit 1 WISH. */
  setFeatures(netns: string, ifname: string, valid: Uint32Array, requested: Uint32Array): number;
  setFeaturesAsync(netns: string, ifname: string, valid: Uint32Array, requested: Uint32Array): Promise<number>;
  driverInfo(netns: string, ifname: string): NativeDriverInfo;
  listInterfaces(netns: string): NativeLink[];
  closeSockets(): void;
  /** Throws errno EPERM for regular files (epoll cannot watch them). Optional: fakes may lack it. */
  FdWatch?: new (fd: number, onReady: (status: number) => void) => NativeFdWatch;
}

let loaded: NativeBinding | undefined;

/** The native binding, loaded on first use (so `--help` never pays for it). */
export function binding(): NativeBinding {
  if (!loaded) {
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const load = require('node-gyp-build') as (dir: string) => NativeBinding;
      loaded = load(path.join(__dirname, '..'));
    } catch (e) {
      throw new NicOffloadError(
        `cannot load the nic-offload native addon: ${(e as Error).message}. ` +
          'No prebuild matches this platform and no local build exists; run "npm rebuild nic-offload" with python3, make and g++ installed. ' +
          '(npm 11 skips the install script that builds it unless it is approved: "npm install-scripts approve nic-offload" first.)',
        { code: ErrorCode.NATIVE_UNAVAILABLE },
      );
    }
  }
  return loaded;
}

/** Replaces the native binding (tests use a fake one). Returns the previous one. */
export function useBinding(b: NativeBinding | undefined): NativeBinding | undefined {
  const prev = loaded;
  loaded = b;
  return prev;
}
