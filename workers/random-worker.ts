// The worker entry point of `shootdown random --workers K` (a piscina task), also called in the
// main thread when K is 1: one code path, so results do not depend on K.

import { emptySummary, mergeSummaries, randomRun, summariseRun } from '../explorer/random.js';
import { loadSource } from '../cli/load-source.js';
import { conditionProp } from '../cli/random-config.js';
import { vmsaSystem } from '../cli/vmsa-system.js';
import { ModelUnsupported } from '../model/machine.js';
import type { SerializedRandomResult, SerializedRandomTask } from './contract.js';
import { DEFAULT_MODEL } from '../model/relaxed.js';

/** Does the runs of one task and summarises them. */
export function runRandomTask(task: SerializedRandomTask): SerializedRandomResult {
  const loaded = loadSource(task.source, task.file, task.variant, task.unroll);
  if (!loaded.ok) return { ok: false, run: -1, message: loaded.message };
  const prog = loaded.program;
  const sys = vmsaSystem(prog, { model: task.model ?? DEFAULT_MODEL });
  const goal = conditionProp(prog);
  let summary = emptySummary;
  for (let run = task.from; run < task.to; run++) {
    try {
      summary = mergeSummaries(summary, summariseRun(randomRun(sys, task.config, run, goal)));
    } catch (e) {
      if (!(e instanceof ModelUnsupported)) throw e;
      const slot = prog.threads[e.proc]?.code[e.pc];
      const span = slot?.instr.span;
      return { ok: false, run, message: `${task.file}:${span?.line ?? 1}:${span?.col ?? 1}: unsupported: P${e.proc} '${slot?.instr.text ?? '?'}': ${e.message}` };
    }
  }
  return { ok: true, summary };
}

export default runRandomTask;
