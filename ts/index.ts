// The package's public API. Each layer has one entry (core, format, persist, doctor); the CLI's
// ethtool -K semantics (reports, exit statuses, argument meaning) are public too, for scripts.
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
  ETHTOOL_F_UNSUPPORTED,
  ETHTOOL_F_WISH,
  Feature,
  KERNEL_FEATURE_NAMES,
  LEGACY_FLAGS,
  legacyGroups,
  patternMatches,
} from './core';
export type {
  NetnsOptions,
  SetOptions,
  DriverInfo,
  LinkInfo,
  Features,
  AnyFeatures,
  FeatureState,
  Snapshot,
  SetResult,
  AskedFeature,
  FeatureChange,
  UnmetRequest,
  UnmetReason,
  FeatureName,
  FeatureChanges,
  KernelFeatureName,
  LegacyShortName,
  LegacyLongName,
  LegacyGroup,
} from './core';
export { NicOffloadError, ErrorCode } from './errors';
export { validateIfname } from './validate';
export { formatFeaturesText, formatFeaturesTextList, formatFeatureLines } from './format/features-text';
export type { FeaturesFormatOptions } from './format/features-text';
export { formatFeaturesJson, featuresJsonObject } from './format/features-json';
export type { EthtoolJsonFeature, EthtoolJsonDevice } from './format/features-json';
export { formatSetReport, formatCheckReport, checkStatus, setStatus, setReportJson } from './cli/set-report';
export type { CommandOutput, SetReportJson } from './cli/set-report';
export { ExitStatus } from './cli/exit-status';
export { changesFromEthtoolArgs } from './cli/ethtool-args';
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
  KNOWN_BUGS,
  readCsumErrors,
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
  KnownBug,
  KnownBugSource,
  KnownBugAdvice,
  KnownBugMatch,
  RuledOutBug,
  KernelRange,
  CsumErrorCounts,
  CsumErrorsReading,
} from './doctor';
export { installGuard, uninstallGuard } from './doctor';
export type { InstallOptions, InstallResult, UninstallResult } from './doctor';
