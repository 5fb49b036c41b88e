export { type ChartSpec, renderPng, renderSvg } from './charts/render-chart.js';
export { writeReport, type ReportOutput, type ReportFigure } from './report/write-report.js';
export { formatMeanSd, meanSd, type MeanSd } from './report/summarize.js';
export { LocalExecutor } from './run/local-executor.js';
export {
  machineInfo,
  readFinishedResults,
  runStudy,
  type MachineInfo,
  type RunManifest,
  type RunStudyOptions,
  type RunSummary,
} from './run/run-study.js';
export type { TrialEvents, TrialExecutor, TrialJobContext } from './run/trial-executor.js';
export type {
  EpochMetrics,
  GradientRecord,
  LayerGradientSummary,
  TrialResult,
  TrialStatus,
} from './run/trial-records.js';
export { trainTrial, type TrainTrialOptions, type TrialProgress } from './run/train-trial.js';
export { expandTrials, trialId, type ExpandOptions, type Trial } from './study/expand-trials.js';
export { listPresets, loadStudy, parseStudy, readPresetText } from './study/load-study.js';
export { StudyConfigError, StudyRunError } from './study/study-errors.js';
export {
  studySchema,
  trialSettingsSchema,
  type FigureSpec,
  type Study,
  type StudyInput,
  type TrialSettings,
} from './study/study-schema.js';
