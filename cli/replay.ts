// `shootdown replay FILE --trace TOKEN`: re-runs one trace and explains every step.

import { replay } from '../explorer/exhaustive.js';
import { parseTraceToken } from '../explorer/system.js';
import { describeTransition, translationSnapshot } from '../model/explain.js';
import type { Hazard } from '../model/hazards.js';
import { stateLine } from '../model/outcome.js';
import type { Program } from '../model/program.js';
import { loadFileOrReport } from './load-source.js';
import { vmsaSystem } from './vmsa-system.js';
import { DEFAULT_MODEL } from '../model/relaxed.js';

/** One explained step of a replay. */
export interface ExplainedStep {
  readonly step: number;
  readonly what: string;
  readonly after: readonly string[];
  readonly hazards: readonly Hazard[];
}

/** Replays `token` on `prog`: the explained steps and the final state line, or why it does not replay. */
export function explainTrace(prog: Program, token: string, model: 'sc' | 'arm' = DEFAULT_MODEL): { ok: true; steps: ExplainedStep[]; final: string; finished: boolean } | { ok: false; message: string } {
  const parsed = parseTraceToken(token);
  if (!parsed.ok) return parsed;
  const sys = vmsaSystem(prog, { model });
  const r = replay(sys, parsed.trace);
  if (!r.ok) return { ok: false, message: r.message };
  // The addresses involved: those some TLB caches or whose descriptor changes along the trace.
  const first = r.states[0];
  const vas = prog.vars
    .map((_, v) => v)
    .filter((v) => r.states.some((s) => s.mem[2 * v + 1] !== first?.mem[2 * v + 1] || s.cpus.some((c) => c.tlb.some((e) => e.va === v) || c.early.some((e) => e.va === v))));
  const steps: ExplainedStep[] = [];
  const seen = new Set<string>();
  for (let i = 0; i < r.transitions.length; i++) {
    const before = r.states[i];
    const after = r.states[i + 1];
    const t = r.transitions[i];
    if (before === undefined || after === undefined || t === undefined) throw new Error('[internal] replay arrays');
    const hz: Hazard[] = [];
    for (const f of [...(r.findings[i] ?? []), ...sys.stateFindings(after)]) {
      if (seen.has(f.key)) continue;
      seen.add(f.key);
      hz.push(f.detail as Hazard);
    }
    steps.push({ step: i + 1, what: describeTransition(prog, before, t), after: translationSnapshot(prog, after, vas), hazards: hz });
  }
  const last = r.states[r.states.length - 1];
  if (last === undefined) throw new Error('[internal] empty replay');
  return { ok: true, steps, final: stateLine(prog, last), finished: sys.machine.isFinal(last) };
}

/** The text of an explained replay: each step, the translation state after it, hazards as they appear. */
export function renderSteps(r: { steps: readonly ExplainedStep[]; final: string; finished: boolean }): string[] {
  const out: string[] = [];
  for (const s of r.steps) {
    out.push(`${String(s.step).padStart(3)}. ${s.what}`);
    for (const a of s.after) out.push(`       ${a}`);
    for (const h of s.hazards) out.push(`     ! ${h.kind}: ${h.message}`);
  }
  out.push(r.finished ? `Final: ${r.final}` : 'Not finished: the trace stops before every thread is done');
  return out;
}

/** The replay command; returns the exit status. */
export async function replayCommand(file: string, flags: { trace: string; json?: boolean; variant?: string; unroll?: number; model?: 'sc' | 'arm' }): Promise<number> {
  const loaded = await loadFileOrReport(file, flags.variant, flags.unroll);
  if (loaded === undefined) return 2;
  const parsed = loaded;
  const r = explainTrace(loaded.program, flags.trace, flags.model ?? DEFAULT_MODEL);
  if (!r.ok) {
    process.stderr.write(`shootdown: ${file}: cannot replay ${flags.trace}: ${r.message}\n`);
    return 2;
  }
  if (flags.json === true) {
    process.stdout.write(`${JSON.stringify({ test: parsed.test.name, file, trace: flags.trace, steps: r.steps, final: r.final, finished: r.finished })}\n`);
    return 0;
  }
  process.stdout.write(`${[`Replay ${parsed.test.name} ${flags.trace}`, ...renderSteps(r)].join('\n')}\n`);
  return 0;
}
