// Steps and choices of one CPU, memoised. Most steps read and write only their own CPU and read
// memory (Machine.stepIsLocal): a load, a register computation, a branch, an invalidation's
// completion. Their successors are functions of (transition, that CPU, memory), but for the
// records they add to the fault and remap lists; a CPU's share of the enabled list is likewise a
// function of (CPU, memory) where choicesAreLocal says so. A search meets the same few of those
// again and again: states are products of a few distinct CPUs, shared as objects (model/state.ts
// internCpus, and the frontier's decoding). The 6-CPU SC fixmap search answers 97% of its 608,444
// steps from 322 entries, and builds its 858,000 per-CPU choice lists from 18 distinct (CPU,
// memory) pairs. The memo answers them from tables keyed by those objects: what the step or the
// choices computed the first time. On a machine whose local steps also read something of the
// other CPUs (Machine.contextual: on the relaxed machine, no access to a cell may perform while
// another CPU's read-modify-write holds it), that is part of the key too (Machine.context).

import type { Machine, Transition } from './machine.js';
import { compareRecords, insertSorted, sameCpu, withFault, type CpuState, type FaultRec, type MachineState, type QuietRemap } from './state.js';

/**
 * One memoised local step: the memory it read (the transition and its CPU are the keys of the
 * tables it is in), the CPU it gave, the records it added to the fault and remap lists, and what
 * `run` said of it besides.
 */
interface StepEntry<X> {
  readonly mem: readonly number[];
  /** the CPU's Machine.context (0 on a machine that is not contextual) */
  readonly ctx: number;
  readonly cpu: CpuState;
  readonly addFaults: readonly FaultRec[];
  readonly addRemaps: readonly QuietRemap[];
  readonly findings: X;
}

interface ChoiceEntry {
  readonly mem: readonly number[];
  readonly ctx: number;
  readonly list: readonly Transition[];
}

/**
 * Entries kept at most, over both tables (each is a few small objects): past that, a search that
 * meets ever new CPUs computes as without the memo, and keeps no more.
 */
export const MAX_ENTRIES = 1 << 17;

/** Memoised enabled() and step() of a machine whose steps are local by CPU (Machine.localSteps). */
export class LocalMemo<X> {
  // by part of the enabled list and CPU position (part * CPUs + position): the CPU object -> its
  // choice lists by memory
  private readonly choices: Map<CpuState, ChoiceEntry[]>[] = [];
  // by transition (enabled's shared objects), then by CPU object
  private readonly steps = new Map<Transition, Map<CpuState, StepEntry<X>[]>>();
  private entries = 0;
  // Local steps answered and not answered in the current window of WINDOW, and whether misses
  // are kept: a miss that is kept costs about two steps more (the run from empty lists, the
  // checks, interning), so the memo keeps misses only while most steps are answered. A search
  // answers nearly all (97% of the 6-CPU SC fixmap's); the expansion of a search reduced by
  // symmetry replays permuted runs, whose CPUs are new objects, and answers few.
  private hits = 0;
  private misses = 0;
  private keeping = true;
  // by part and CPU position likewise: the local choice list found last, and its CPU and memory
  private readonly lastCpu: (CpuState | undefined)[] = [];
  private readonly lastMem: (readonly number[] | undefined)[] = [];
  private readonly lastCtx: number[] = [];
  private readonly lastList: (readonly Transition[] | undefined)[] = [];
  // the machine's steps and choices depend on a context besides CPU and memory (Machine.contextual)
  private readonly contextual: boolean;
  // each CPU's context in the state enabled() is listing
  private readonly ctxs: number[] = [];

  /** `intern(s)`: replaces CPUs of a state by equal ones kept before (model/state.ts internCpus), so memoised CPUs are shared ones. */
  constructor(
    private readonly machine: Machine,
    private readonly intern: (s: MachineState) => void,
  ) {
    this.contextual = machine.contextual;
  }

  /** machine.enabled(s), the same list. */
  enabled(s: MachineState): Transition[] {
    const m = this.machine;
    const cpus = s.cpus;
    const out: Transition[] = [];
    for (let cpu = 0; cpu < cpus.length; cpu++) if ((cpus[cpu] as CpuState).pc === -2) return out; // as Machine.enabled
    const parts = m.enabledParts;
    const contextual = this.contextual;
    const ctxs = this.ctxs;
    if (contextual) for (let cpu = 0; cpu < cpus.length; cpu++) ctxs[cpu] = m.context(s, cpu);
    for (let part = 0; part < parts; part++) {
      for (let cpu = 0; cpu < cpus.length; cpu++) {
        const c = cpus[cpu] as CpuState;
        const slot = part * cpus.length + cpu;
        const ctx = contextual ? (ctxs[cpu] as number) : 0;
        // (states expanded one after another are mostly siblings and cousins, which share most CPUs)
        if (c === this.lastCpu[slot] && s.mem === this.lastMem[slot] && ctx === this.lastCtx[slot]) {
          const list = this.lastList[slot] as readonly Transition[];
          for (let k = 0; k < list.length; k++) out.push(list[k] as Transition);
          continue;
        }
        const byCpu = (this.choices[slot] ??= new Map());
        const es = byCpu.get(c);
        let list: readonly Transition[] | undefined;
        if (es !== undefined) {
          for (let k = 0; k < es.length; k++) {
            const e = es[k] as ChoiceEntry;
            if (e.mem === s.mem && e.ctx === ctx) {
              list = e.list;
              break;
            }
          }
        }
        // (only local lists are kept, so a list found is one: asked only when none is)
        if (list === undefined) {
          if (!m.choicesAreLocal(s, cpu, part)) {
            m.cpuChoices(s, cpu, out, part);
            continue;
          }
          const fresh: Transition[] = [];
          m.cpuChoices(s, cpu, fresh, part);
          list = fresh;
          if (this.entries < MAX_ENTRIES) {
            this.entries++;
            if (es === undefined) byCpu.set(c, [{ mem: s.mem, ctx, list }]);
            else es.push({ mem: s.mem, ctx, list });
          }
        }
        this.lastCpu[slot] = c;
        this.lastMem[slot] = s.mem;
        this.lastCtx[slot] = ctx;
        this.lastList[slot] = list;
        for (let k = 0; k < list.length; k++) out.push(list[k] as Transition);
      }
    }
    return out;
  }

  /**
   * The successor of `s` by `t` and what the step showed (`run` computes both for a state, when
   * the memo does not know them; X is the caller's, e.g. a list of findings, shared by the
   * steps the memo answers).
   *
   * The fault and remap lists are not part of the key. A step only ever adds records to them
   * (Machine.fault's withFault, noteQuietRemaps' insertSorted), whatever they held: so the
   * records a local step adds are found by running it once more from the same state with both
   * lists empty, and a memoised step adds them to the lists of the state it is taken from. (Keyed
   * by the lists, the 6-CPU SC fixmap search met 243 fault lists and scanned 23 entries a step.)
   */
  step(s: MachineState, t: Transition, run: (from: MachineState, t: Transition) => { state: MachineState; findings: X }): { state: MachineState; findings: X } {
    const cpu = t.cpu;
    const c = s.cpus[cpu] as CpuState;
    const byCpu = this.steps.get(t);
    const es = byCpu?.get(c);
    const ctx = this.contextual ? this.machine.context(s, cpu) : 0;
    if (es !== undefined) {
      for (let k = 0; k < es.length; k++) {
        const e = es[k] as StepEntry<X>;
        if (e.mem !== s.mem || e.ctx !== ctx) continue;
        const cpus = s.cpus.slice();
        cpus[cpu] = e.cpu;
        let faults = s.faults;
        for (let i = 0; i < e.addFaults.length; i++) faults = withFault(faults, e.addFaults[i] as FaultRec);
        let remaps = s.remaps;
        for (let i = 0; i < e.addRemaps.length; i++) remaps = insertSorted(remaps, e.addRemaps[i] as QuietRemap);
        this.hits++;
        return { state: { mem: s.mem, cpus, faults, remaps }, findings: e.findings };
      }
    }
    const r = run(s, t);
    // (only local steps count: the others are never answered)
    if (!this.machine.stepIsLocal(s, t)) return r;
    if (++this.misses + this.hits >= WINDOW) this.judge();
    // (while not keeping, one miss in SAMPLE still is: a search whose first steps miss goes on learning)
    if ((!this.keeping && (this.misses & (SAMPLE - 1)) !== 0) || this.entries >= MAX_ENTRIES) return r;
    const next = r.state;
    const adds = localAdds(s, t, next, run);
    if (adds === undefined) return r;
    // (a step that left the CPU list as it was has nothing new to share)
    if (next.cpus !== s.cpus) this.intern(next);
    const entry: StepEntry<X> = { mem: s.mem, ctx, cpu: next.cpus[cpu] as CpuState, addFaults: adds.faults, addRemaps: adds.remaps, findings: r.findings };
    this.entries++;
    if (byCpu === undefined) this.steps.set(t, new Map([[c, [entry]]]));
    else if (es === undefined) byCpu.set(c, [entry]);
    else es.push(entry);
    return r;
  }

  // Ends a window: keeps misses in the next one only if this one answered enough.
  private judge(): void {
    this.keeping = this.hits >= KEEP_ABOVE * (this.hits + this.misses);
    this.hits = 0;
    this.misses = 0;
  }
}

const NONE: readonly never[] = [];

/**
 * What a step of `t` from `s` that stepIsLocal calls local, whose successor is `next`, adds to
 * the fault and remap lists; or undefined where `next` does not keep what stepIsLocal promises,
 * checked where it is cheap (memory as it was, the other CPUs the same objects), or where adding
 * those records to `s`'s lists does not give `next`'s (then nothing is memoised).
 */
export function localAdds(s: MachineState, t: Transition, next: MachineState, run: (from: MachineState, t: Transition) => { state: MachineState }): { faults: readonly FaultRec[]; remaps: readonly QuietRemap[] } | undefined {
  const cpu = t.cpu;
  if (next.mem !== s.mem) return undefined;
  for (let i = 0; i < s.cpus.length; i++) if (i !== cpu && next.cpus[i] !== s.cpus[i]) return undefined;
  if (s.faults.length === 0 && s.remaps.length === 0) return { faults: next.faults, remaps: next.remaps };
  // (from empty lists, the successor's lists are what the step adds)
  const bare = run({ mem: s.mem, cpus: s.cpus, faults: NONE, remaps: NONE }, t).state;
  // and adding those records to this state's lists must give this successor's
  let faults = s.faults;
  for (const f of bare.faults) faults = withFault(faults, f);
  let remaps = s.remaps;
  for (const q of bare.remaps) remaps = insertSorted(remaps, q);
  if (!sameRecords(faults, next.faults) || !sameRecords(remaps, next.remaps) || !sameCpu(bare.cpus[cpu] as CpuState, next.cpus[cpu] as CpuState)) return undefined;
  return { faults: bare.faults, remaps: bare.remaps };
}

/** Steps per window of the memo's hit count (LocalMemo.judge). */
export const WINDOW = 4096;

/**
 * The share of a window's steps the memo must answer to go on keeping misses: a kept miss costs
 * about 2.3 steps and a hit about 0.1, so below 0.6 the memo costs more than it saves.
 */
export const KEEP_ABOVE = 0.6;

/** While the memo keeps no misses, it still keeps one in SAMPLE (a power of two). */
export const SAMPLE = 16;

function sameRecords(a: readonly object[], b: readonly object[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (compareRecords(a[i] as object, b[i] as object) !== 0) return false;
  return true;
}
