// The core layer's interface: the device API (reads, writes, links) and its domain (feature
// states, plans, outcomes, the catalogue of names and ethtool's legacy groups). Every other layer
// (format, persist, doctor, cli) imports core through this file only; `npm run lint` checks it.
// The package's public API (ts/index.ts) re-exports the part of it users see.
export {
  getFeatures,
  getFeatureSnapshot,
  getFeatureNames,
  setFeatures,
  setFeaturesSync,
  getDriverInfo,
  listInterfaces,
  listLinks,
  getAllFeatures,
  releaseSockets,
} from './device';
export type { NetnsOptions, SetOptions, DriverInfo, LinkInfo } from './device';
export type { Features, AnyFeatures, FeatureState, Snapshot } from './snapshot';
export type { SetResult, AskedFeature, FeatureChange, UnmetRequest, UnmetReason } from './outcome';
export { ETHTOOL_F_UNSUPPORTED, ETHTOOL_F_WISH } from './outcome';
export { Feature, KERNEL_FEATURE_NAMES, LEGACY_FLAGS } from './catalogue';
export type { FeatureName, FeatureChanges, KernelFeatureName, LegacyShortName, LegacyLongName } from './catalogue';
export { legacyGroups, patternMatches, findLegacyFlag } from './legacy';
export type { LegacyGroup } from './legacy';
export { resolveAsks, unknownFeatureError } from './plan';
