// A machine's states expanded straight from their words (StateWords), as a search keeps them
// (explorer/system.ts WordExpander). A state is a memory, a fault list, a remap list and a CPU
// per position, each named by a number; a search meets few of each and many of their products
// (the 6-CPU SC fixmap search: 373,794 states of a few hundred CPUs). What expanding a state
// asks of the machine is mostly a function of one CPU and memory (LocalMemo says which), so it
// is kept here by numbers: per (CPU number, memory number) and position, the CPU's choices, their
// sleep groups, whether reduce forces one, and each local step's successor CPU number and the
// records it adds. A state begun is then a few table reads per CPU; a memoised successor is its
// parent's words with a number or two replaced, and its fingerprint (WordKeys) its parent's lane
// sums with a part's lanes taken away and another's added. A choice list that reads other CPUs
// (a DSB waiting for its TLBIs) is kept per the context the machine names for it
// (Machine.choicesContext). Anything else (a step that is not local, a state's hazards when a
// CPU may hold a conflicting translation, a final state's outcome) is computed on the state
// rebuilt, as without this.

import { KEEP_ABOVE, localAdds, MAX_ENTRIES, SAMPLE, WINDOW } from './local-memo.js';
import type { Machine, Transition } from './machine.js';
import { fingerprint, insertSorted, withFault, WordKeys, type CpuState, type FaultRec, type MachineState, type QuietRemap, type StateWords } from './state.js';

/** A local step learnt: the successor's CPU (its number) and the records it adds to the lists. */
interface Learnt<X> {
  readonly cpu: number;
  /** that CPU's lanes at its position (WordKeys) */
  readonly a: number;
  readonly b: number;
  /** whether that CPU, with memory as it was, shows no state finding (WordStepsHooks.quiet), and whether it has finished */
  readonly quiet: boolean;
  readonly final: boolean;
  readonly addFaults: readonly FaultRec[];
  readonly addRemaps: readonly QuietRemap[];
  readonly findings: X;
  /** fault list number -> the number of that list with addFaults added (remaps likewise) */
  faultsAfter?: Map<number, number>;
  remapsAfter?: Map<number, number>;
  // the fault list asked for last, its number after, and the difference in its lanes
  lastFaults: number;
  lastFaultsAfter: number;
  lastFaultsA: number;
  lastFaultsB: number;
}

/** One CPU's share of one part of the enabled list, for a CPU and a memory (their numbers). */
interface Choices<X> {
  /** the CPU's number and position, and its lanes there (WordKeys) */
  readonly cpu: number;
  readonly pos: number;
  readonly a: number;
  readonly b: number;
  readonly mem: number;
  /** whether the CPU, with this memory, shows no state finding (WordStepsHooks.quiet), and whether it has finished */
  readonly quiet: boolean;
  readonly final: boolean;
  /**
   * the list reads other CPUs (Machine.choicesAreLocal): this entry is for the states where they
   * give context `ctx` (Machine.choicesContext), or where that is -1, where the list made again
   * is this entry's list
   */
  readonly varies: boolean;
  readonly ctx: number;
  readonly list: readonly Transition[];
  /** each choice's sleep group */
  readonly groups: Int8Array;
  /** the first choice `reduce` forces (Machine.forces), or -1 */
  readonly forced: number;
  /** whether each choice's step is local (Machine.stepIsLocal) */
  readonly local: Uint8Array;
  /** each local step learnt */
  readonly learnt: (Learnt<X> | undefined)[];
  /** the entry of the same CPU and position for another memory */
  other: Choices<X> | undefined;
}

/** How a WordSteps computes what its tables do not hold, on a state rebuilt. */
export interface WordStepsHooks<X> {
  /** the step with what its edge shows */
  run(s: MachineState, t: Transition): { state: MachineState; findings: X };
  /** makes a successor's CPUs shared objects (internCpus) before it is numbered */
  intern(s: MachineState): void;
  /** whether a state with this CPU and memory and no remap records shows no state finding (the usual case, memoised) */
  quiet(c: CpuState, mem: readonly number[]): boolean;
  /** what the state shows, its outcome and the outcome's detail */
  stateFindings(s: MachineState): X;
  outcome(s: MachineState): string | undefined;
  outcomeDetail(s: MachineState): unknown;
  /** the findings of a state that shows none */
  none: X;
}

/** Expansion by numbers for a machine whose steps are local by CPU and not contextual (Machine.localSteps, contextual). */
export class WordSteps<X> {
  width = 0;
  forced = -1;
  /** after step: the successor's key (a field, not step's result: a double returned is a new heap number) */
  key = 0;
  /** after step: the successor shows no state finding and has no outcome (false where that was not worked out) */
  plain = false;
  groups = new Int8Array(64);
  findings: X;
  // by slot (part * CPUs + position), then CPU number: the entries, one per memory
  private readonly byCpu: (Choices<X> | undefined)[][] = [];
  // by slot: the entry found last (siblings and cousins share most CPUs)
  private readonly last: (Choices<X> | undefined)[] = [];
  private entries = 0;
  // the state begun as segments, one per entry in enabled order: each one's entry and first
  // choice, and each choice's segment
  private readonly segEntry: Choices<X>[] = [];
  private segStart = new Int32Array(16);
  private segOf = new Uint16Array(64);
  // the lane sums of the state begun, how many of its CPUs are not quiet and not final, and whether its remap list is empty
  private a = 0;
  private b = 0;
  private loud = 0;
  private unfinished = 0;
  private noRemaps = false;
  // the memory, fault list and remap list whose lanes were summed last (listsA, listsB)
  private listsMem = -1;
  private listsFaults = -1;
  private listsRemaps = -1;
  private listsA = 0;
  private listsB = 0;
  // the state begun, and rebuilt once something needs it
  private words: Int32Array = new Int32Array(0);
  private at = 0;
  private state: MachineState | undefined;
  private viewed = false;
  private readonly scratchCpus: CpuState[] = [];
  private readonly scratch: { mem: readonly number[]; cpus: CpuState[]; faults: readonly FaultRec[]; remaps: readonly QuietRemap[] } = { mem: [], cpus: this.scratchCpus, faults: [], remaps: [] };
  // a list of choices being made
  private readonly listed: Transition[] = [];
  private readonly keys: WordKeys;
  // whether a CPU number's CPU has discarded its run (1), has finished (2), neither (0), or unknown (-1)
  private status = new Int8Array(0);
  // per CPU number: memory numbers whose hazard check (hooks.quiet) said quiet (1) or not (2), as memory * 4 + answer
  private readonly quietMemo: number[][] = [];
  // misses and hits of local steps in the current window, and whether misses are learnt (LocalMemo.judge)
  private hits = 0;
  private misses = 0;
  private keeping = true;
  private readonly parts: number;

  constructor(
    private readonly machine: Machine,
    private readonly table: StateWords,
    private readonly hashes: readonly number[],
    private readonly hooks: WordStepsHooks<X>,
    private readonly options: { readonly por: boolean; readonly sleep: boolean },
  ) {
    if (machine.contextual || !machine.localSteps) throw new Error('[internal] WordSteps for a machine whose steps are not local by CPU');
    this.keys = new WordKeys(table, hashes);
    this.parts = machine.enabledParts;
    this.findings = hooks.none;
  }

  begin(words: Int32Array, at: number): number {
    this.words = words;
    this.at = at;
    this.state = undefined;
    this.viewed = false;
    const n = words[at] as number;
    this.width = 4 + n;
    this.forced = -1;
    for (let pos = 0; pos < n; pos++) if (this.statusOf(words[at + 4 + pos] as number) === 1) return 0; // as Machine.enabled
    const mem = words[at + 1] as number;
    // (siblings share their lists, and so do most states expanded one after another)
    if (mem !== this.listsMem || words[at + 2] !== this.listsFaults || words[at + 3] !== this.listsRemaps) {
      this.keys.lists(words, at);
      this.listsMem = mem;
      this.listsFaults = words[at + 2] as number;
      this.listsRemaps = words[at + 3] as number;
      this.listsA = this.keys.a;
      this.listsB = this.keys.b;
      this.noRemaps = this.table.remapsAt(this.listsRemaps).length === 0;
    }
    let a = this.listsA;
    let b = this.listsB;
    let loud = 0;
    let unfinished = 0;
    let count = 0;
    let seg = 0;
    const parts = this.parts;
    if (this.segStart.length < parts * n) this.segStart = new Int32Array(2 * parts * n);
    if (this.segEntry.length < parts * n) this.segEntry.length = parts * n;
    for (let part = 0; part < parts; part++) {
      for (let pos = 0; pos < n; pos++) {
        const cpu = words[at + 4 + pos] as number;
        const slot = part * n + pos;
        let e = this.last[slot];
        if (e === undefined || e.cpu !== cpu || e.mem !== mem || e.varies) e = this.choices(slot, cpu, mem, part, pos);
        if (part === 0) {
          a += e.a;
          b += e.b;
          if (!e.quiet) loud++;
          if (!e.final) unfinished++;
        }
        const len = e.list.length;
        if (len === 0) continue;
        if (this.segOf.length < count + len) this.grow(count + len);
        if (this.forced < 0 && e.forced >= 0) this.forced = count + e.forced;
        this.segEntry[seg] = e;
        this.segStart[seg] = count;
        const groups = e.groups;
        for (let k = 0; k < len; k++) {
          this.segOf[count + k] = seg;
          this.groups[count + k] = groups[k] as number;
        }
        seg++;
        count += len;
      }
    }
    if (!this.options.por) this.forced = -1;
    this.a = a | 0;
    this.b = b;
    this.loud = loud;
    this.unfinished = unfinished;
    return count;
  }

  step(i: number, out: Int32Array): void {
    const seg = this.segOf[i] as number;
    const e = this.segEntry[seg] as Choices<X>;
    const k = i - (this.segStart[seg] as number);
    const l = e.learnt[k];
    if (l === undefined) {
      this.plain = false;
      this.unlearnt(e, k, out);
      return;
    }
    this.hits++;
    // (a learnt step changes its CPU alone, and memory not)
    this.plain = this.noRemaps && l.addRemaps.length === 0 && this.loud - (e.quiet ? 0 : 1) + (l.quiet ? 0 : 1) === 0 && this.unfinished - (e.final ? 0 : 1) + (l.final ? 0 : 1) > 0;
    const words = this.words;
    const at = this.at;
    const width = this.width;
    for (let j = 0; j < width; j++) out[j] = words[at + j] as number;
    out[4 + e.pos] = l.cpu;
    let a = this.a - e.a + l.a;
    let b = this.b - e.b + l.b;
    if (l.addFaults.length > 0) {
      const f = words[at + 2] as number;
      if (l.lastFaults !== f) this.faultsAfter(l, f);
      out[2] = l.lastFaultsAfter;
      a += l.lastFaultsA;
      b += l.lastFaultsB;
    }
    if (l.addRemaps.length > 0) {
      const keys = this.keys;
      const r = words[at + 3] as number;
      const q = this.remapsAfter(l, r);
      out[3] = q;
      a = a - keys.remaps.a(r) + keys.remaps.a(q);
      b = b - keys.remaps.b(r) + keys.remaps.b(q);
    }
    this.findings = l.findings;
    this.key = WordKeys.key(a | 0, b);
  }

  // A step the entry has not learnt: learnt now if it is local (and the memo learns), else computed.
  private unlearnt(e: Choices<X>, k: number, out: Int32Array): void {
    const t = e.list[k] as Transition;
    if (e.local[k] === 1) {
      if (++this.misses + this.hits >= WINDOW) this.judge();
      // (while not learning, one miss in SAMPLE still is, as LocalMemo does)
      if ((this.keeping || (this.misses & (SAMPLE - 1)) === 0) && this.entries < MAX_ENTRIES) {
        this.learn(e, k, t, out);
        return;
      }
    }
    this.computed(t, out);
  }

  stateFindings(words: Int32Array, at: number): X {
    if (this.table.remapsAt(words[at + 3] as number).length === 0) {
      const n = words[at] as number;
      const mem = words[at + 1] as number;
      let quiet = true;
      for (let pos = 0; pos < n && quiet; pos++) quiet = this.isQuiet(words[at + 4 + pos] as number, mem);
      if (quiet) return this.hooks.none;
    }
    return this.hooks.stateFindings(this.table.decode(words, at));
  }

  outcome(words: Int32Array, at: number): string | undefined {
    const n = words[at] as number;
    for (let pos = 0; pos < n; pos++) if (this.statusOf(words[at + 4 + pos] as number) !== 2) return undefined;
    return this.hooks.outcome(this.table.decode(words, at));
  }

  outcomeDetail(words: Int32Array, at: number): unknown {
    return this.hooks.outcomeDetail(this.table.decode(words, at));
  }

  // The state begun, rebuilt.
  private rebuilt(): MachineState {
    return (this.state ??= this.table.decode(this.words, this.at));
  }

  // The successor by `t` computed on the state rebuilt: numbered, its words written to `out`.
  private computed(t: Transition, out: Int32Array): void {
    const r = this.hooks.run(this.rebuilt(), t);
    this.numbered(r.state, r.findings, out);
  }

  private numbered(next: MachineState, findings: X, out: Int32Array): void {
    this.hooks.intern(next);
    const w = this.table.encode(next);
    for (let j = 0; j < w.length; j++) out[j] = w[j] as number;
    this.findings = findings;
    this.key = fingerprint(next, this.hashes);
  }

  // A local step not learnt yet: computed, and learnt where it keeps what stepIsLocal promises.
  private learn(e: Choices<X>, k: number, t: Transition, out: Int32Array): void {
    const s = this.rebuilt();
    const r = this.hooks.run(s, t);
    const next = r.state;
    const adds = localAdds(s, t, next, this.hooks.run);
    if (adds !== undefined) {
      this.hooks.intern(next);
      const cpu = this.table.cpuId(next.cpus[t.cpu] as CpuState);
      const lanes = this.keys.cpusAt(t.cpu);
      const a = lanes.a(cpu);
      const b = lanes.b(cpu);
      const mem = this.words[this.at + 1] as number;
      e.learnt[k] = { cpu, a, b, quiet: this.isQuiet(cpu, mem), final: this.statusOf(cpu) === 2, addFaults: adds.faults, addRemaps: adds.remaps, findings: r.findings, lastFaults: -1, lastFaultsAfter: -1, lastFaultsA: 0, lastFaultsB: 0 };
      this.entries++;
    }
    this.numbered(next, r.findings, out);
  }

  // Sets l's last fault list to `f`: the number of f with l's records added, and the lanes' difference.
  private faultsAfter(l: Learnt<X>, f: number): void {
    const m = (l.faultsAfter ??= new Map());
    let g = m.get(f);
    if (g === undefined) {
      g = this.table.faultsId(added(this.table.faultsAt(f), l.addFaults, withFault));
      m.set(f, g);
    }
    const lanes = this.keys.faults;
    l.lastFaults = f;
    l.lastFaultsAfter = g;
    l.lastFaultsA = lanes.a(g) - lanes.a(f);
    l.lastFaultsB = lanes.b(g) - lanes.b(f);
  }

  // The number of remap list `r` with l's records added.
  private remapsAfter(l: Learnt<X>, r: number): number {
    const m = (l.remapsAfter ??= new Map());
    let q = m.get(r);
    if (q === undefined) {
      q = this.table.remapsId(added(this.table.remapsAt(r), l.addRemaps, insertSorted));
      m.set(r, q);
    }
    return q;
  }

  // The entry of CPU number `cpu` at `slot` (part `part`, position `pos`) for memory number `mem`:
  // found, or made. A list that reads other CPUs (choicesAreLocal) has an entry per context
  // (Machine.choicesContext); where the machine gives none, it is listed again for every state,
  // and its entry is the one made for an equal list before (its transitions are the machine's
  // shared objects).
  private choices(slot: number, cpu: number, mem: number, part: number, pos: number): Choices<X> {
    const row = (this.byCpu[slot] ??= []);
    let e = row[cpu];
    while (e !== undefined && e.mem !== mem) e = e.other;
    if (e !== undefined && e.varies) {
      const s = this.view();
      const ctx = this.machine.choicesContext(s, pos, part);
      if (ctx >= 0) {
        while (e !== undefined && !(e.mem === mem && e.varies && e.ctx === ctx)) e = e.other;
        if (e !== undefined) return e;
        const list: Transition[] = [];
        this.machine.cpuChoices(s, pos, list, part);
        return this.kept(row, cpu, this.made(list, cpu, pos, mem, true, ctx));
      }
      const list = this.listed;
      // (emptied by pop: setting its length calls the runtime)
      while (list.length > 0) list.pop();
      this.machine.cpuChoices(s, pos, list, part);
      let tried = 0;
      for (; e !== undefined; e = e.other) {
        if (e.mem !== mem || e.ctx !== -1) continue;
        if (sameList(e.list, list)) return e;
        tried++;
      }
      // (past a few lists for a CPU and memory, one more is not kept: each state would try them all)
      const made = this.made(list.slice(), cpu, pos, mem, true, -1);
      return tried < MAX_LISTS ? this.kept(row, cpu, made) : made;
    }
    if (e === undefined) {
      const s = this.view();
      const list: Transition[] = [];
      this.machine.cpuChoices(s, pos, list, part);
      const varies = !this.machine.choicesAreLocal(s, pos, part);
      e = this.kept(row, cpu, this.made(list, cpu, pos, mem, varies, varies ? this.machine.choicesContext(s, pos, part) : 0));
      if (varies) return e;
    }
    this.last[slot] = e;
    return e;
  }

  // `e`, kept in `row` (its CPU's entries) unless the memo is full.
  private kept(row: (Choices<X> | undefined)[], cpu: number, e: Choices<X>): Choices<X> {
    if (this.entries >= MAX_ENTRIES) return e;
    this.entries++;
    e.other = row[cpu];
    row[cpu] = e;
    return e;
  }

  // An entry for `list`, the choices of the CPU at `pos` in the state begun.
  private made(list: readonly Transition[], cpu: number, pos: number, mem: number, varies: boolean, ctx: number): Choices<X> {
    const m = this.machine;
    const s = this.view();
    const groups = new Int8Array(list.length);
    const local = new Uint8Array(list.length);
    let forced = -1;
    for (let k = 0; k < list.length; k++) {
      const t = list[k] as Transition;
      if (t.cpu !== pos) throw new Error(`[internal] a choice of P${t.cpu} in P${pos}'s list`);
      if (this.options.sleep) groups[k] = m.sleepGroup(s, t);
      if (forced < 0 && this.options.por && m.forces(s, t)) forced = k;
      local[k] = m.stepIsLocal(s, t) ? 1 : 0;
    }
    const lanes = this.keys.cpusAt(pos);
    const a = lanes.a(cpu);
    const b = lanes.b(cpu);
    return { cpu, pos, a, b, mem, quiet: this.isQuiet(cpu, mem), final: this.statusOf(cpu) === 2, varies, ctx, list, groups, forced, local, learnt: new Array<Learnt<X> | undefined>(list.length).fill(undefined), other: undefined };
  }

  // The state begun as a scratch object, for the machine's questions that read it and keep
  // nothing of it (choices, groups, locality); `rebuilt` gives one to step from.
  private view(): MachineState {
    if (this.viewed) return this.scratch;
    const words = this.words;
    const at = this.at;
    const n = words[at] as number;
    const cpus = this.scratchCpus;
    if (cpus.length !== n) cpus.length = n;
    for (let i = 0; i < n; i++) cpus[i] = this.table.cpuAt(words[at + 4 + i] as number);
    this.scratch.mem = this.table.memAt(words[at + 1] as number);
    this.scratch.faults = this.table.faultsAt(words[at + 2] as number);
    this.scratch.remaps = this.table.remapsAt(words[at + 3] as number);
    this.viewed = true;
    return this.scratch;
  }

  private statusOf(cpu: number): number {
    if (cpu < this.status.length) {
      const v = this.status[cpu] as number;
      if (v >= 0) return v;
    }
    return this.statusFor(cpu);
  }

  private statusFor(cpu: number): number {
    if (cpu >= this.status.length) {
      const s = new Int8Array(Math.max(2 * this.status.length, cpu + 64)).fill(-1);
      s.set(this.status);
      this.status = s;
    }
    let v = this.status[cpu] as number;
    if (v < 0) {
      const c = this.table.cpuAt(cpu);
      v = c.pc === -2 ? 1 : this.machine.cpuFinal(c) ? 2 : 0;
      this.status[cpu] = v;
    }
    return v;
  }

  private isQuiet(cpu: number, mem: number): boolean {
    const row = (this.quietMemo[cpu] ??= []);
    for (let j = 0; j < row.length; j++) {
      const x = row[j] as number;
      if (x >>> 2 === mem) return (x & 3) === 1;
    }
    const quiet = this.hooks.quiet(this.table.cpuAt(cpu), this.table.memAt(mem));
    row.push(mem * 4 + (quiet ? 1 : 2));
    return quiet;
  }

  private grow(n: number): void {
    const size = Math.max(2 * this.segOf.length, n);
    const segs = new Uint16Array(size);
    segs.set(this.segOf);
    this.segOf = segs;
    const g = new Int8Array(size);
    g.set(this.groups);
    this.groups = g;
  }

  // Ends a window: learns misses in the next one only if this one answered enough (LocalMemo.judge).
  private judge(): void {
    this.keeping = this.hits >= KEEP_ABOVE * (this.hits + this.misses);
    this.hits = 0;
    this.misses = 0;
  }
}

// `list` with each of `adds` added by `add` (withFault, insertSorted).
function added<T>(list: readonly T[], adds: readonly T[], add: (list: readonly T[], x: T) => readonly T[]): readonly T[] {
  let out = list;
  for (let i = 0; i < adds.length; i++) out = add(out, adds[i] as T);
  return out;
}

/** Lists kept per CPU and memory where the machine gives no context (see choices). */
const MAX_LISTS = 8;

function sameList(a: readonly Transition[], b: readonly Transition[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
