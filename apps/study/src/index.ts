export { type ChartSpec, renderPng, renderSvg } from './charts/render-chart.js';
export { QueueExecutor, type QueueExecutorOptions } from './queue/queue-executor.js';
export {
  type QueueWorkerOptions,
  type RunningQueueWorker,
  runQueueWorker,
} from './queue/run-queue-worker.js';
export { type TrialJobData, type TrialJobResult, trialQueueName } from './queue/trial-queue.js';
export {
  diagnoseFit,
  type FitDiagnosis,
  type FitHistoryEpoch,
  type FitThresholds,
} from './report/diagnose-fit.js';
export { formatMeanSd, type MeanSd, meanSd } from './report/summarize.js';
export { type ReportFigure, type ReportOutput, writeReport } from './report/write-report.js';
export { LocalExecutor } from './run/local-executor.js';
export {
  type MachineInfo,
  machineInfo,
  type RunManifest,
  type RunStudyOptions,
  type RunSummary,
  readFinishedResults,
  runStudy,
} from './run/run-study.js';
export { type TrainTrialOptions, type TrialProgress, trainTrial } from './run/train-trial.js';
export type { TrialEvents, TrialExecutor, TrialJobContext } from './run/trial-executor.js';
export type {
  EpochMetrics,
  GradientRecord,
  LayerGradientSummary,
  TrialResult,
  TrialStatus,
} from './run/trial-records.js';
export { type ExpandOptions, expandTrials, type Trial, trialId } from './study/expand-trials.js';
export { listPresets, loadStudy, parseStudy, readPresetText } from './study/load-study.js';
export { StudyConfigError, StudyRunError } from './study/study-errors.js';
export {
  type FigureSpec,
  type Study,
  type StudyInput,
  studySchema,
  type TrialSettings,
  trialSettingsSchema,
} from './study/study-schema.js';
