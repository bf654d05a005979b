// Where the model meets the explorer: the VMSA machine seen as a generic transition system.

import type { ExplorationResult, Progress } from '../explorer/exhaustive.js';
import { expandQuotient, quotientSystem } from '../explorer/symmetry.js';
import type { Finding, TransitionSystem } from '../explorer/system.js';
import { barrierFlag } from '../model/barrier-table.js';
import { accessHazards, holdsOther, stateHazards, type Hazard } from '../model/hazards.js';
import type { AccessEvent, Machine, MachineOptions, Transition } from '../model/machine.js';
import { DEFAULT_MODEL, machineFor } from '../model/relaxed.js';
import { LocalMemo } from '../model/local-memo.js';
import { evalProp, stateLines } from '../model/outcome.js';
import type { Program } from '../model/program.js';
import { fingerprint, internCpus, packStates, StateWords, unpackStates, type MachineState, type PackedEncoded, type PackedStates } from '../model/state.js';
import { machineSymmetry } from '../model/symmetry.js';
import { WordSteps } from '../model/word-steps.js';

/** herd's flag raised by executing P(cpu)'s current instruction, if any. */
function executedFlag(prog: Program, s: MachineState, cpu: number): string | undefined {
  const pc = s.cpus[cpu]?.pc ?? -1;
  const op = prog.threads[cpu]?.code[pc]?.op;
  return op !== undefined && (op.op === 'dmb' || op.op === 'dsb') ? barrierFlag(op.op, op.row) : undefined;
}

const NO_FINDINGS: readonly Finding[] = Object.freeze([]);

function hazardFinding(h: Hazard): Finding {
  return { key: `${h.kind}:P${h.cpu}:${h.va}`, detail: h };
}

/** The machine of `prog` as a transition system; outcomes are herd state lines. */
export function vmsaSystem(
  prog: Program,
  /** `memo: false` computes every step and choice list afresh (tests compare the two) */
  options?: Partial<MachineOptions> & { model?: 'sc' | 'arm'; por?: boolean; sleep?: boolean; memo?: boolean; byWords?: boolean },
): TransitionSystem<MachineState, Transition> & { machine: Machine } {
  const machine = machineFor(options?.model ?? DEFAULT_MODEL, prog, { evictions: options?.evictions === true });
  const events: AccessEvent[] = [];
  const words = new StateWords();
  // the step with the findings of its edge: its accesses' hazards, a barrier's flag
  const run = (s: MachineState, t: Transition): { state: MachineState; findings: readonly Finding[] } => {
    // one list for every step (nothing keeps it), emptied by pop: setting its length calls the runtime
    while (events.length > 0) events.pop();
    const state = machine.step(s, t, events);
    const flag = t.k === 'exec' ? executedFlag(prog, s, t.cpu) : undefined;
    if (events.length === 0 && flag === undefined) return { state, findings: NO_FINDINGS };
    const findings = events.length === 0 ? [] : accessHazards(prog, s, events).map(hazardFinding);
    if (flag !== undefined) findings.push({ key: `flag:${flag}`, detail: flag });
    return { state, findings };
  };
  // (findings lists are shared between the steps the memo answers: nothing changes them)
  const memo = options?.memo !== false && machine.localSteps ? new LocalMemo<readonly Finding[]>(machine, (s) => internCpus(s, prog.values.hashes)) : undefined;
  const lineOf = stateLines(prog);
  const outcomeDetail = (s: MachineState): unknown => (prog.condition === undefined ? true : evalProp(prog, s, prog.condition.prop));
  const outcome = (s: MachineState): string | undefined => {
    if (!machine.isFinal(s)) return undefined;
    if (prog.filter !== undefined && !evalProp(prog, s, prog.filter)) return undefined;
    return lineOf(s);
  };
  const stateFindings = (s: MachineState): readonly Finding[] => {
    const hs = stateHazards(prog, s);
    return hs.length === 0 ? NO_FINDINGS : hs.map(hazardFinding);
  };
  const por = options?.por === true;
  const sleep = por && options?.sleep !== false;
  // States expanded from their words (model/word-steps.ts) where the memo could answer steps by
  // CPU: `byWords: false` expands them as objects (tests compare the two).
  const expander =
    memo !== undefined && !machine.contextual && options?.byWords !== false
      ? new WordSteps<readonly Finding[]>(
          machine,
          words,
          prog.values.hashes,
          { run, intern: (s) => internCpus(s, prog.values.hashes), quiet: (c, mem) => !holdsOther(prog, c, mem), stateFindings, outcome, outcomeDetail, none: NO_FINDINGS },
          { por, sleep },
        )
      : undefined;
  return {
    machine,
    ...(expander === undefined ? {} : { expander }),
    initial: () => machine.initial(),
    enabled: memo === undefined ? (s) => machine.enabled(s) : (s) => memo.enabled(s),
    step: memo === undefined ? run : (s, t) => memo.step(s, t, run),
    key: (s) => fingerprint(s, prog.values.hashes),
    keep: (s) => internCpus(s, prog.values.hashes),
    encode: (s) => words.encode(s),
    decode: (w, at) => words.decode(w, at),
    pack: (ss) => packStates(ss, prog.values),
    // (a partition that adopts them keeps them, which interns their CPUs)
    unpack: (b) => unpackStates(b as PackedStates, prog.values),
    packEncoded: (w, at) => words.packEncoded(w, at, prog.values),
    unpackEncoded: (b) => {
      const p = b as PackedEncoded;
      return { words: words.unpackEncoded(p, prog.values, prog.values.hashes), at: Array.from({ length: p.count + 1 }, (_, k) => k * p.width) };
    },
    stateFindings,
    ...(por ? { reduce: (s: MachineState, ts: readonly Transition[]) => machine.reduce(s, ts) } : {}),
    ...(sleep
      ? {
          sleep: {
            group: (s: MachineState, t: Transition) => machine.sleepGroup(s, t),
            conflicts: (g: number) => machine.sleepConflicts(g),
            permute: (mask: number, perm: readonly number[]) => machine.sleepPermute(mask, perm),
          },
        }
      : {}),
    actor: (t) => 2 * t.cpu + (t.k === 'exec' ? 0 : 1), // CPU c's instructions: thread 2c; its walker/invalidation unit: 2c+1
    // whether the final state satisfies the condition, so reports need not replay witnesses
    outcomeDetail,
    outcome,
  };
}

/** The system a search explores, and how to turn what it found into results of the machine. */
export interface SearchedSystem {
  /** the machine's system: traces of results replay on it */
  readonly concrete: TransitionSystem<MachineState, Transition> & { machine: Machine };
  /** what the explorer walks: the concrete system, or its quotient by the CPUs' symmetries */
  readonly searched: TransitionSystem<MachineState, Transition>;
  /** CPUs interchangeable by symmetry (classes of two or more), empty when off or none */
  readonly classes: readonly (readonly number[])[];
  /** the result of searching `searched`, as results of `concrete` */
  finish(r: ExplorationResult, progress?: (p: Progress) => void): ExplorationResult;
}

/**
 * vmsaSystem, and with `symmetry` on (the default) the quotient by its interchangeable CPUs
 * (model/symmetry.ts): one representative per orbit of states is explored; outcomes, findings
 * and their traces are those of the machine itself.
 */
export function searchedSystem(prog: Program, options?: Parameters<typeof vmsaSystem>[1] & { symmetry?: boolean }): SearchedSystem {
  const concrete = vmsaSystem(prog, options);
  const sym = options?.symmetry === false ? undefined : machineSymmetry(prog, concrete.machine);
  if (sym === undefined) return { concrete, searched: concrete, classes: [], finish: (r) => r };
  return { concrete, searched: quotientSystem(concrete, sym), classes: sym.classes, finish: (r, progress) => expandQuotient(concrete, sym, r, progress) };
}
