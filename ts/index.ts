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
export type { Features, FeatureState, Snapshot } from './snapshot';
export type { SetResult, AskedFeature, FeatureChange, UnmetRequest, UnmetReason } from './outcome';
export { ETHTOOL_F_UNSUPPORTED, ETHTOOL_F_WISH } from './outcome';
export { Feature, KERNEL_FEATURE_NAMES, LEGACY_FLAGS } from './catalogue';
export type { FeatureName, KernelFeatureName, LegacyShortName, LegacyLongName } from './catalogue';
export { legacyGroups, patternMatches } from './legacy';
export type { LegacyGroup } from './legacy';
export { NicOffloadError, ErrorCode } from './errors';
export { validateIfname } from './validate';
export { formatFeaturesText, formatFeaturesTextList, formatFeatureLines } from './format/features-text';
export type { FeaturesFormatOptions } from './format/features-text';
export { formatFeaturesJson, featuresJsonObject } from './format/features-json';
export type { EthtoolJsonFeature, EthtoolJsonDevice } from './format/features-json';
export { formatSetReport, formatCheckReport, checkStatus, setStatus, setReportJson } from './format/set-report';
export type { CommandOutput, SetReportJson } from './format/set-report';
export { ExitStatus } from './format/exit-status';
export { changesFromEthtoolArgs } from './format/ethtool-args';
export { persist, unpersist, listPersisted, detectBackend, reapply, BACKEND_NAMES } from './persist';
export type { BackendName, PersistOptions, PersistResult, PersistedEntry, PersistedFile, FileAction } from './persist';
export {
  scanText,
  scanStream,
  scanKernelLog,
  diagnose,
  fix,
  watchKernelLog,
  startGuard,
  KernelLogWatcher,
  Guard,
  FailureTally,
  kernelPrintsOnce,
  parseKmsgRecord,
  parseJournalJson,
  readJournal,
} from './doctor';
export type {
  CsumFailure,
  LiveFailure,
  LogTime,
  ResolvedBy,
  KmsgRecord,
  DoctorReport,
  Finding,
  DeviceAdvice,
  TallyEntry,
  Sighting,
  RxState,
  ReportOptions,
  WatchOptions,
  WatchStats,
  GuardOptions,
  GuardAction,
  GuardNotice,
  DiagnoseOptions,
  ScanOptions,
  StreamScanOptions,
  LogLine,
  JournalReader,
  WatchMode,
} from './doctor';
export { installGuard } from './doctor/install';
export type { InstallOptions, InstallResult } from './doctor/install';
