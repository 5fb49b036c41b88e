export type {
  AdversarialPublication,
  PublishedMethod,
  PublishedOverSeeds,
  PublishedSourceSet,
} from './adversarial/adversarial-publication.js';
export { type ChartSpec, renderPng, renderSvg } from './charts/render-chart.js';
export { LocalExecutor } from './engine/local-executor.js';
export { type MachineInfo, machineInfo } from './engine/machine-info.js';
export { getKind, studyKinds } from './engine/registry.js';
export {
  type RunStudyOptions,
  type RunSummary,
  readFinishedResults,
  runStudy,
} from './engine/run-study.js';
export { StudyError, type StudyErrorCode } from './engine/study-error.js';
export type {
  KindFlag,
  MetricRow,
  PlannedUnit,
  PlanOptions,
  ReportBlock,
  ReportContent,
  ReportFigure,
  ReportInput,
  RunManifest,
  StudyKind,
  Unit,
  UnitContext,
  UnitProgress,
  UnitResult,
} from './engine/study-kind.js';
export type { UnitEvents, UnitExecutor, UnitJob } from './engine/unit-executor.js';
export { unitId } from './engine/unit-id.js';
export { type ReportOutput, writeReport } from './engine/write-report.js';
export type {
  MaskBarPoint,
  MaskPublication,
  PublishedEvaluation,
  PublishedMaskModel,
} from './mask-detector/mask-publication.js';
export { QueueExecutor, type QueueExecutorOptions } from './queue/queue-executor.js';
export {
  type QueueWorkerOptions,
  type RunningQueueWorker,
  runQueueWorker,
} from './queue/run-queue-worker.js';
export { trialQueueName, type UnitJobData, type UnitJobResult } from './queue/unit-queue.js';
export {
  diagnoseFit,
  type FitDiagnosis,
  type FitHistoryEpoch,
  type FitThresholds,
} from './report/diagnose-fit.js';
export { formatMeanSd, type MeanSd, meanSd } from './report/summarize.js';
export type { CodeVersion } from './reproduce/code-version.js';
export {
  type GridPublication,
  type Publication,
  type PublishedPoint,
  type PublishedValue,
  publicationFormat,
} from './reproduce/publication.js';
export { defaultPublishFolder, publishRun } from './reproduce/publish-run.js';
export {
  minimumSeeds,
  type ReproduceOptions,
  type ReproduceRecord,
  type ReproduceSession,
  reproduceCommand,
  reproduceRecordFile,
} from './reproduce/reproduce-command.js';
export {
  type PendingStudy,
  type PlannedRun,
  planReproduction,
  studiesWithoutPreset,
} from './reproduce/reproduce-plan.js';
export { type TrainTrialOptions, type TrialProgress, trainTrial } from './run/train-trial.js';
export type {
  EpochMetrics,
  GradientRecord,
  LayerGradientSummary,
  TrialResult,
  TrialStatus,
} from './run/trial-records.js';
export { type ExpandOptions, expandTrials, type Trial, trialId } from './study/expand-trials.js';
export {
  type LoadedStudy,
  listPresets,
  loadStudy,
  parseStudy,
  readPresetText,
} from './study/load-study.js';
export {
  type FigureSpec,
  type Study,
  type StudyInput,
  studySchema,
  type TrialSettings,
  trialSettingsSchema,
} from './study/study-schema.js';
