import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { z } from 'zod';
import { writeFileAtomically, writeJsonAtomic } from '../atomic-files.js';
import { studyKinds } from '../registry.js';
import { runUnit } from '../run-unit.js';
import type { StudyKind, Unit, UnitResult } from '../study-kind.js';
import type { UnitEvents, UnitExecutor, UnitJob } from '../unit-executor.js';
import { unitId } from '../unit-id.js';

/** A unit of the counter kind: `steps` steps of a hash chain started from `start`. */
export interface CounterSettings {
  start: string;
  steps: number;
}

/** The counter kind's result: the chain's values, one per step. */
export interface CounterResult extends UnitResult {
  values: string[];
}

const studySchema = z.object({
  kind: z.literal('counter'),
  name: z.string(),
  title: z.string(),
  description: z.string(),
  starts: z.array(z.string()),
  steps: z.number().int().positive(),
});

/**
 * A tiny, deterministic study kind for engine tests: each step appends a sha256 to a chain and
 * saves a checkpoint; the unit writes `values.json` and a binary `chain.bin`, the engine
 * `result.json`. Needs no data and no tfjs.
 */
export const counterKind: StudyKind<z.infer<typeof studySchema>, CounterSettings, CounterResult> = {
  kind: 'counter',
  schema: studySchema,
  flags: [],
  async plan(study) {
    return study.starts.map((start) => ({
      label: `start=${start}`,
      axes: { start },
      settings: { start, steps: study.steps },
      steps: study.steps,
    }));
  },
  async runUnit(unit, context) {
    const saved = await context.loadCheckpoint<string[]>();
    const values = saved ? [...saved.state] : [];
    for (let step = values.length + 1; step <= unit.settings.steps; step++) {
      const previous = values[values.length - 1] ?? unit.settings.start;
      values.push(createHash('sha256').update(`${previous}/${step}`).digest('hex'));
      await writeJsonAtomic(join(context.folder, 'values.json'), values);
      await context.saveCheckpoint(step, values);
      context.progress({ step, steps: unit.settings.steps, within: 1, done: true });
    }
    await writeFileAtomically(
      join(context.folder, 'chain.bin'),
      Buffer.from(values.join(''), 'hex'),
    );
    return { id: unit.id, label: unit.label, status: 'completed', values };
  },
  describe: (result) => `${result.values.length} values`,
  report: async () => ({ facts: [], sections: [], metrics: [] }),
};

/** Registers {@link counterKind} for the engine's `getKind`; returns the function that removes it. */
export function registerCounterKind(): () => void {
  const kinds = studyKinds as StudyKind[];
  if (!kinds.includes(counterKind as StudyKind)) kinds.push(counterKind as StudyKind);
  return () => {
    const at = kinds.indexOf(counterKind as StudyKind);
    if (at >= 0) kinds.splice(at, 1);
  };
}

/** A counter study and its planned units with their ids. */
export async function counterStudy(starts: string[], steps = 3) {
  const study = {
    kind: 'counter' as const,
    name: 'counter',
    title: 'Counter',
    description: 'test',
    starts,
    steps,
  };
  const units: Unit[] = (await counterKind.plan(study, { quick: false })).map((unit) => ({
    ...unit,
    id: unitId(unit.settings),
  }));
  return { study, units };
}

/** Runs units one at a time in this thread through the engine's `runUnit`; records what it ran. */
export class InlineExecutor implements UnitExecutor {
  readonly ran: string[] = [];
  private closed = false;

  async run(units: Unit[], job: UnitJob, events: UnitEvents): Promise<void> {
    for (const unit of units) {
      if (this.closed) return;
      this.ran.push(unit.id);
      events.started(unit);
      const outcome = await runUnit(unit, job, (progress) => events.progress(progress));
      if (outcome.ok) events.finished(unit, outcome.result);
      else events.failed(unit, outcome);
    }
  }

  async close(): Promise<void> {
    this.closed = true;
  }
}
