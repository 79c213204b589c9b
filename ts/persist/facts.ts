// What detection needs to know about the device, read in its namespace. With --no-apply the
// device may be absent (an image being prepared): then only its name is known.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import { getDriverInfo, getFeatureNames, listLinks } from '../core';
import { ErrorCode, NicOffloadError } from '../errors';
import { MAX_IFNAME_BYTES, validateIfname } from '../validate';
import type { DeviceFacts } from './types';

// Names that are safe as a file name, in every config syntax used here and in a udev match
// (no glob characters, quotes, `$`, `%`, `=`, `#` or spaces). The kernel allows more.
const PERSISTABLE = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;

export function validatePersistIfname(ifname: unknown): string {
  validateIfname(ifname);
  const name = ifname as string;
  if (!PERSISTABLE.test(name) || Buffer.byteLength(name) > MAX_IFNAME_BYTES) {
    throw new NicOffloadError(
      `interface name ${JSON.stringify(name)} cannot be persisted: only letters, digits, "_", "." and "-" (not first) can go into configuration files`,
      { code: ErrorCode.INVALID_IFNAME, ifname: name },
    );
  }
  return name;
}

export interface Facts {
  device: DeviceFacts;
  /** The kernel's feature names (when the device is present). */
  names?: readonly string[];
}

/** udev's ID_PATH of a device in this process's namespace (null: none; undefined: unknown). */
function idPath(ifname: string): string | null | undefined {
  if (!fs.existsSync(`/sys/class/net/${ifname}`)) return undefined;
  if (!fs.existsSync(`/sys/class/net/${ifname}/device`)) return null; // virtual: no bus path
  const r = spawnSync('udevadm', ['info', '--query=property', `--path=/sys/class/net/${ifname}`], { encoding: 'utf8' });
  if (r.status !== 0) return undefined;
  const m = /^ID_PATH=(.*)$/m.exec(r.stdout);
  return m ? m[1] : null;
}

/**
 * Reads the device's facts. `required`: the device must exist (a live apply follows), so its
 * absence is an error (ENODEV) before anything is written.
 */
export function deviceFacts(ifname: string, netns: string | undefined, root: string, required: boolean): Facts {
  let links;
  try {
    links = listLinks({ netns });
  } catch (e) {
    if (!required && (e as { code?: string }).code === ErrorCode.NATIVE_UNAVAILABLE) return { device: { ifname, present: false } };
    throw e;
  }
  const link = links.find((l) => l.name === ifname);
  if (!link) {
    if (required) getFeatureNames(ifname, { netns }); // throws the standard ENODEV error
    return { device: { ifname, present: false } };
  }
  let driver: string | undefined;
  try {
    driver = getDriverInfo(ifname, { netns }).driver || undefined;
  } catch {
    driver = undefined;
  }
  const device: DeviceFacts = {
    ifname,
    present: true,
    kind: link.kind,
    address: link.address || undefined,
    permAddress: link.permAddress || undefined,
    driver,
    // Virtual devices have no bus path; a hardware one is asked of udev (own namespace only).
    idPath: link.kind ? null : root === '/' && !netns ? idPath(ifname) : undefined,
  };
  return { device, names: getFeatureNames(ifname, { netns }) };
}
