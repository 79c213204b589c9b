// The persistence calls the doctor and the guard use, loaded only when needed (a scan alone never
// loads the backends). Tests pass their own implementation.
import type * as Persist from '../persist';

export type PersistenceApi = Pick<typeof Persist, 'detectBackend' | 'persist'>;

export function defaultPersistence(): PersistenceApi {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require('../persist') as typeof Persist;
}

/** The change that stops "hw csum failure": RX checksum offload off (ethtool -K IFACE rx off). */
export const RX_OFF: Readonly<Record<string, boolean>> = Object.freeze({ 'rx-checksum': false });
