#!/usr/bin/env node
import { availableParallelism } from 'node:os';
import { ActlabError } from '@actlab/errors';
import { Command, InvalidArgumentError, Option } from 'commander';
import { plotActivationCommand, printActivationTable } from './commands/activations-command.js';
import {
  type JsonOption,
  listCommand,
  reportCommand,
  runCommand,
  runExitCode,
  showCommand,
  workerCommand,
} from './commands/study-commands.js';
import { exitQuietlyOnClosedPipe } from './commands/terminal-output.js';
import { maskPredictCommand } from './mask-detector/predict-command.js';
import { publishCommand } from './reproduce/publish-run.js';
import { reproduceCommand } from './reproduce/reproduce-command.js';

exitQuietlyOnClosedPipe();

function positiveInteger(value: string): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 1) {
    throw new InvalidArgumentError(`expected a whole number ≥ 1, got "${value}"`);
  }
  return parsed;
}

function indexList(value: string): number[] {
  const parsed = value.split(',').map((part) => Number(part.trim()));
  if (parsed.length === 0 || parsed.some((index) => !Number.isInteger(index) || index < 0)) {
    throw new InvalidArgumentError(`expected comma-separated indices ≥ 0, got "${value}"`);
  }
  return parsed;
}

function finiteNumber(value: string): number {
  const parsed = Number(value);
  if (!Number.isFinite(parsed)) throw new InvalidArgumentError(`expected a number, got "${value}"`);
  return parsed;
}

// Options that several commands share, defined once so that they mean the same everywhere.
const backendOption = () =>
  new Option('--backend <name>', 'tfjs backend')
    .choices(['auto', 'wasm', 'cpu', 'node'])
    .default('auto');
const dataDirOption = () =>
  new Option(
    '--data-dir <folder>',
    'folder with one sub-folder per dataset (default: $ACTLAB_DATA_DIR)',
  );
const workersOption = () =>
  new Option('--workers <n>', 'units in parallel (local worker threads)')
    .argParser(positiveInteger)
    .default(availableParallelism());
const plainOption = () =>
  new Option('--plain', 'plain line logs even on a terminal').default(false);
/** `--model`: a saved tfjs layers model, by its folder or its model.json, in every command. */
const modelHelp = 'a saved model: its folder or its model.json';

const program = new Command()
  .name('actlab')
  .description('Study how activation functions shape learning: tables, plots, studies and reports.')
  .showHelpAfterError();

const activations = program
  .command('activations')
  .description('print every activation with its range, derivative range and initialisation gain')
  .option('--json', 'one JSON array on stdout instead of the table', false)
  .action((options: JsonOption) => printActivationTable(options));

activations
  .command('plot <name>')
  .description('plot f and its derivative on one chart (SVG, or PNG by the file extension)')
  .requiredOption('--out <file>', 'output file: .svg or .png')
  .option('--from <x>', 'left end of the x range', finiteNumber, -5)
  .option('--to <x>', 'right end of the x range', finiteNumber, 5)
  .option('--steps <n>', 'sample points', positiveInteger, 401)
  .option('--param <key=value...>', 'activation parameters, e.g. --param alpha=0.1')
  .action((name: string, options) => plotActivationCommand(name, options));

program
  .command('list')
  .description('list the built-in study presets')
  .option('--json', 'one JSON array on stdout instead of the list', false)
  .action((options: JsonOption) => listCommand(options));

program
  .command('show <preset>')
  .description('print a built-in preset (a study file you can copy and edit)')
  .option('--json', 'the study file as one JSON document', false)
  .action((preset: string, options: JsonOption) => showCommand(preset, options));

program
  .command('run <study>')
  .description('run a preset or a study file; re-running the same command resumes')
  .option('--out <folder>', 'run folder (default: runs/<study name>[-quick])')
  .option(
    '--seeds <n>',
    'seeds per grid point (grid), per attack (adversarial), per model (mask-detector)',
    positiveInteger,
  )
  .option(
    '--epochs <n>',
    'grid and mask-detector studies: epochs per trial or model',
    positiveInteger,
  )
  .addOption(workersOption())
  .option('--quick', 'the small profile: a data subset and fewer epochs', false)
  .addOption(backendOption())
  .addOption(
    new Option(
      '--trainer <name>',
      'grid studies: fused (our WebAssembly Dense-stack trainer), tfjs (stock) or auto (default: fused where it applies)',
    ).choices(['auto', 'fused', 'tfjs']),
  )
  .addOption(dataDirOption())
  .addOption(plainOption())
  .option('--no-report', 'do not write the report at the end')
  .option(
    '--fresh',
    'start over in a run folder of another study or version: its files move to replaced/<time>/',
    false,
  )
  .option(
    '--queue <url>',
    'run the units as BullMQ jobs on this Redis (redis://[:password@]host[:port][/db], rediss:// for TLS); `actlab worker` trains them',
  )
  .option(
    '--sources <indices>',
    'adversarial studies: comma-separated test-set indices of the source images, e.g. 102,88,64,179,73',
    indexList,
  )
  .option(
    '--model <path>',
    `adversarial studies: the classifier to attack, ${modelHelp} (default: the shipped MNIST CNN)`,
  )
  .option(
    '--methods <ids>',
    'adversarial studies: comma-separated ids of the methods to run (default: all)',
    (value: string) => value.split(',').map((id) => id.trim()),
  )
  .action(async (study: string, options) => {
    const outcome = await runCommand(study, options);
    if (outcome !== 'finished') process.exitCode = runExitCode(outcome);
  });

program
  .command('reproduce [presets...]')
  .description(
    'run every preset (or those named) at full size with ≥ 3 seeds, each into <out>/<preset>; re-running resumes',
  )
  .option('--out <folder>', 'folder of the run folders', 'runs/reproduce')
  .option('--seeds <n>', 'seeds per grid point (at least 3)', positiveInteger, 3)
  .addOption(workersOption())
  .addOption(backendOption())
  .addOption(dataDirOption())
  .addOption(plainOption())
  .option('--queue <url>', 'run the units as BullMQ jobs on this Redis (see `actlab run --queue`)')
  .action(async (presets: string[], options) => {
    const outcome = await reproduceCommand(presets, options);
    if (outcome !== 'finished') process.exitCode = runExitCode(outcome);
  });

program
  .command('publish <runFolders...>')
  .description(
    "copy a finished run's small result files (no checkpoints) into the docs' committed results: a grid run, or an adversarial study's runs, one per source set",
  )
  .option('--to <folder>', 'target folder (default: apps/docs/results/<study name>)')
  .action((runFolders: string[], options: { to?: string }) => publishCommand(runFolders, options));

program
  .command('worker')
  .description(
    'run the units (of any study kind) that `actlab run --queue` puts on a queue, until stopped',
  )
  .requiredOption('--queue <url>', 'redis://[:password@]host[:port][/db] or rediss://… (TLS)')
  .option('--concurrency <n>', 'units at once, each in its own thread', positiveInteger, 1)
  .addOption(backendOption())
  .addOption(dataDirOption())
  .option(
    '--lock-duration <ms>',
    "how long a job's lock lasts unrenewed: a dead worker's trial is retried after it",
    positiveInteger,
  )
  .option('--stalled-interval <ms>', 'time between checks for stalled jobs', positiveInteger)
  .action((options) => workerCommand(options));

program
  .command('report <runFolder>')
  .description('write report.md, report.html and figures/ for a run folder')
  .action((runFolder: string) => reportCommand(runFolder));

program
  .command('mask')
  .description('the face-mask classifier of @actlab/mask-detector')
  .command('predict <image>')
  .description(
    'classify the faces of a photo (boxes from --annotations or --box) or a whole face crop',
  )
  .option('--annotations <file.xml>', 'Pascal VOC file with the face boxes')
  .option('--box <x,y,w,h...>', 'a face box in pixels (repeatable)')
  .option(
    '--model <path>',
    `the classifier, ${modelHelp}, or a model.json URL (default: the shipped weights)`,
  )
  .option('--out <file>', 'write the photo with labelled boxes (.png or .jpg)')
  .addOption(backendOption())
  .action((image: string, options) => maskPredictCommand(image, options));

try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (ActlabError.isInstance(error)) {
    process.stderr.write(`actlab: ${error.message} [${error.code}]\n`);
    process.exitCode = 1;
  } else {
    throw error;
  }
}
