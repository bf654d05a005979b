// The transitions of the VMSA machine with sequentially consistent data accesses.
//
// A state steps by one of:
//  - exec:  one instruction of one CPU; an access picks how it translates (a TLB entry, an early
//           faulting walk, or a walk now, possibly seeing the CPU's own not-yet-visible PTE store);
//  - walk:  the hardware walker of any CPU reads the descriptor of any address at any time
//           (speculation, Arm ARM D8.2 "Translation table walks"), caching a valid translation or,
//           for a faulting descriptor, recording an early walk of a later instruction;
//  - inv:   a pending TLB invalidation completes on one CPU (D8.13);
//  - evict: a TLB entry is dropped (only with `evictions` on; see MachineOptions).
// `enabled` lists them in that order, CPU by CPU; `step` is deterministic.

import type { Addr, CondCode, Op, Reg, Src } from './decode.js';
import { ZR } from './decode.js';
import { dataCell, elementCell, pteCell, type Program } from './program.js';
import {
  cpuWith,
  insertSorted,
  stateWith,
  withFault,
  type CpuState,
  type EarlyFault,
  type FaultType,
  type MachineState,
  type OwedUpdate,
  type PendingInv,
  type StaleWalk,
  type TlbEntry,
  type Unsynced,
} from './state.js';
import { andDescBits, setDescBits } from './descriptor-bits.js';
import { quietRemaps } from './hazards.js';
import { translatedVars } from './translation-reach.js';
import { wrap32, wrap64, type Desc, type Val } from './values.js';

/** Options of the machine that change its transition relation. */
export interface MachineOptions {
  /**
   * Explore TLB evictions. Off by default: an access may always walk instead of using an entry,
   * so evicting never adds an outcome or a hazard; it only multiplies states.
   */
  readonly evictions: boolean;
}

/** How an access finds its translation. */
export type Via =
  | { readonly kind: 'walk'; readonly stale: boolean }
  | { readonly kind: 'tlb'; readonly desc: number }
  | { readonly kind: 'early'; readonly desc: number };

/** What an access's address register names: variable `v`'s page (element `k` of an array), or PTE(v). */
export type Address = { readonly kind: 'va'; readonly v: number; readonly k?: number } | { readonly kind: 'pte'; readonly v: number };

/** One step of the machine. */
export type Transition =
  | { readonly k: 'exec'; readonly cpu: number; readonly via?: Via; readonly fail?: boolean }
  /** an Access-flag-setting walk (TTHM=HA) of PTE(va) as memory holds it; other walks are in the closure */
  | { readonly k: 'walk'; readonly cpu: number; readonly va: number }
  | { readonly k: 'inv'; readonly cpu: number; readonly idx: number }
  | { readonly k: 'evict'; readonly cpu: number; readonly idx: number }
  /** the CPU's walker performs pending hardware Access-flag update `idx` */
  | { readonly k: 'hu'; readonly cpu: number; readonly idx: number };

/** A step that is not an instruction's: enabled's walks, completions, updates and evictions (Machine.sideSteps). */
export type SideStep = Exclude<Transition, { readonly k: 'exec' }>;

/** A construct met while running that the model does not support; the test is reported unsupported. */
export class ModelUnsupported extends Error {
  constructor(
    readonly proc: number,
    readonly pc: number,
    message: string,
  ) {
    super(message);
  }
}

/** Something an access did that a hazard check wants to know about. */
export interface AccessEvent {
  readonly cpu: number;
  readonly pc: number;
  readonly va: number;
  /** the TLB entry used, when the access translated through one */
  readonly entry?: TlbEntry;
}

/** Operations that read and write only their own CPU's registers, flags, ELR_EL1 and pc. */
const LOCAL_OPS: ReadonlySet<Op['op']> = new Set(['nop', 'mov', 'alu', 'cmp', 'csel', 'cset', 'adr', 'msr', 'mrs']);

/**
 * Operations whose step reads and writes no CPU but its own and writes no memory
 * (Machine.stepIsLocal): LOCAL_OPS, branches, ISB, DMB, ERET, exceptions, loads and AT; also a
 * TLBI that is not broadcast.
 */
const OWN_CPU_OPS: ReadonlySet<Op['op']> = new Set([...LOCAL_OPS, 'cbz', 'b', 'eret', 'isb', 'dmb', 'udf', 'svc', 'load', 'at']);

/** The machine for one loaded program. */
export class Machine {
  /** `translates[t][v]`: thread t may translate variable v (model/translation-reach.ts) */
  protected readonly translates: readonly (readonly boolean[])[];

  /** `local[t][pc]`: slot pc of thread t holds a LOCAL_OPS instruction (asked per step: a table, not a Set lookup) */
  protected readonly local: readonly (readonly boolean[])[];

  /** `ownCpu[t][pc]`: an exec step of slot pc of thread t is local (OWN_CPU_OPS, or a TLBI that is not broadcast) */
  private readonly ownCpu: readonly (readonly boolean[])[];

  /** (cpu, va, cpu may translate va) for every va whose PTE can change: the closure syncShadows keeps */
  protected readonly walked: readonly (readonly [number, number, boolean])[];

  constructor(
    readonly prog: Program,
    readonly options: MachineOptions = { evictions: false },
  ) {
    this.translates = translatedVars(prog);
    this.local = prog.threads.map((t) => t.code.map((slot) => LOCAL_OPS.has(slot.op.op)));
    this.ownCpu = prog.threads.map((t) => t.code.map(({ op }) => OWN_CPU_OPS.has(op.op) || (op.op === 'tlbi' && !op.row.broadcast)));
    this.walked = this.translates.flatMap((row, cpu) => row.flatMap((t, va) => (prog.mutablePte[va] === true ? [[cpu, va, t] as const] : [])));
  }

  /** The initial state. */
  initial(): MachineState {
    const init: MachineState = {
      mem: this.prog.initMem,
      cpus: this.prog.threads.map((t, i) => ({
        pc: t.mainEnd > 0 ? 0 : -1,
        regs: this.prog.initRegs[i] ?? [],
        flags: 0,
        elr: -1,
        par: -1,
        tlb: [],
        early: [],
        inv: [],
        unsynced: [],
        stale: [],
        excl: -1,
        retry: 0,
        win: [],
        hu: [],
        loops: [],
      })),
      faults: [],
      remaps: [],
    };
    return this.syncShadows(stateWith(init, { mem: [] }), init);
  }

  /** True when every thread has finished and every hardware update is done (a discarded execution, pc -2, never is). */
  isFinal(s: MachineState): boolean {
    return s.cpus.every((c) => this.cpuFinal(c));
  }

  /** Whether CPU `c` has finished (isFinal: a state is final when all its CPUs are). */
  cpuFinal(c: CpuState): boolean {
    return c.pc === -1 && c.hu.length === 0;
  }

  /**
   * The section of enabled()'s list that `t` belongs to: the list is its sections in order, each
   * CPU by CPU (here one section: each CPU's instruction steps, walks, completions, updates and
   * evictions together). model/symmetry.ts places permuted steps by it.
   */
  enabledSection(_t: Transition): number {
    return 0;
  }

  /** The transitions enabled in `s`, in the documented order. */
  enabled(s: MachineState): Transition[] {
    const out: Transition[] = [];
    const cpus = s.cpus;
    for (let cpu = 0; cpu < cpus.length; cpu++) if ((cpus[cpu] as CpuState).pc === -2) return out; // a discarded execution goes nowhere
    for (let cpu = 0; cpu < cpus.length; cpu++) this.cpuChoices(s, cpu, out, 0);
    return out;
  }

  /**
   * How many parts enabled()'s list has: it is every CPU's part 0 (cpuChoices), CPU by CPU, then
   * every CPU's part 1, and so on (for a state with no discarded execution). Here one part.
   */
  get enabledParts(): number {
    return 1;
  }

  /** CPU `cpu`'s share of part `part` of enabled(s): here its instruction's steps, then its side steps. */
  cpuChoices(s: MachineState, cpu: number, out: Transition[], _part: number): void {
    if (cpuOf(s, cpu).pc >= 0) this.execChoices(s, cpu, out);
    this.sideSteps(s, cpu, out);
  }

  /**
   * Whether this machine's steps and choices may be memoised by CPU (model/local-memo.ts), as
   * `stepIsLocal` and `choicesAreLocal` tell.
   */
  get localSteps(): boolean {
    return true;
  }

  /**
   * Whether the local steps and choices of a CPU depend, besides that CPU and memory, on its
   * `context`: then the memo keys them by it too. False here: they depend on nothing else.
   */
  get contextual(): boolean {
    return false;
  }

  /**
   * What, of the CPUs other than `cpu`, its local steps and choices may read (a non-negative
   * number, equal for states where they read the same), or -1 where a machine cannot tell: its
   * steps and choices are then not local. Only asked of a `contextual` machine.
   */
  context(_s: MachineState, _cpu: number): number {
    return 0;
  }

  /**
   * Whether cpuChoices(s, cpu, part) depends on nothing but CPU `cpu` and memory. Only two things
   * there read other CPUs: a DSB that completes TLBIs waits for them on the other CPUs
   * (tlbiDone), and a walk that would set the Access flag is offered only while no CPU owes an
   * update (walkUseful), which only a thread with TTHM=HA has.
   */
  choicesAreLocal(s: MachineState, cpu: number, _part: number): boolean {
    const c = cpuOf(s, cpu);
    if (this.threadOf(cpu).ha) return false;
    return c.pc < 0 || this.slot(cpu, c.pc).op.op !== 'dsb';
  }

  /**
   * Where cpuChoices(s, cpu, part) is not local (choicesAreLocal): a non-negative number that
   * determines it together with CPU `cpu` and memory (what it reads of the other CPUs; on a
   * contextual machine, with its context too), or -1
   * where the machine cannot give one. Here, what a DSB's wait reads (tlbiContext); none under
   * TTHM=HA (walkUseful reads every CPU's owed updates).
   */
  choicesContext(s: MachineState, cpu: number, _part: number): number {
    return this.threadOf(cpu).ha ? -1 : this.tlbiContext(s, cpu);
  }

  /**
   * All that a DSB of `cpu` reads of the other CPUs (dsbWaits): tlbiDone both ways, bit 0 for the
   * local answer and bit 1 for the Inner Shareable one, found in one pass over the CPUs.
   */
  protected tlbiContext(s: MachineState, cpu: number): number {
    let own = false;
    let other = false;
    for (let i = 0; i < s.cpus.length; i++) {
      const inv = (s.cpus[i] as CpuState).inv;
      for (let k = 0; k < inv.length; k++) {
        if ((inv[k] as PendingInv).issuer !== cpu) continue;
        if (i === cpu) own = true;
        else other = true;
      }
    }
    return (own ? 0 : 1) | (own || other ? 0 : 2);
  }

  /**
   * Whether step(s, t) reads and writes no CPU but t's own and writes no memory: its successor is
   * `s` with that CPU, the fault list and the remap list replaced, each a function of that CPU,
   * memory and the two lists alone (and so are the accesses it reports). Then syncShadows and
   * noteQuietRemaps, with memory unchanged, look at that CPU alone too. Such steps: an
   * instruction that computes on its registers, branches or synchronises (ISB, DMB, ERET), a
   * load or an AT (they read memory, fill their own TLB, owe their own Access-flag updates and
   * may take a fault, which adds to the fault list), an exception (UDF, SVC), a TLBI that is
   * not broadcast, a walk (it fills its own TLB and owes the update), an invalidation's
   * completion on this CPU, an eviction. Not: stores and atomics (they write memory, clear
   * other CPUs' monitors and change every CPU's shadows), broadcast TLBIs (every CPU's
   * pending list), DSB (it waits for and marks other CPUs' entries), hardware updates (memory).
   * test/model/local-memo.test.ts checks every step it calls local, over the corpora, against
   * a state whose other CPUs record any read of theirs.
   */
  stepIsLocal(s: MachineState, t: Transition): boolean {
    switch (t.k) {
      case 'walk':
      case 'inv':
      case 'evict':
        return true;
      case 'hu':
        return false;
      case 'exec':
        return this.ownCpu[t.cpu]?.[cpuOf(s, t.cpu).pc] === true;
    }
  }

  /**
   * The steps of `cpu` in `s` other than its instructions', in enabled's order: walks that set
   * the Access flag, invalidation completions, owed hardware updates, evictions.
   */
  protected sideSteps(s: MachineState, cpu: number, out: Transition[] | SideStep[]): void {
    const c = s.cpus[cpu] as CpuState;
    const nvars = this.prog.vars.length;
    for (let va = 0; va < nvars; va++) {
      // Only walks that set the Access flag are steps; the others are in the closure (syncShadows).
      if (this.prog.mutablePte[va] !== true || !this.walkUpdates(s, cpu, va)) continue;
      if (this.walkUseful(s, cpu, va)) out.push(this.shared(STEP_WALK, cpu, va));
    }
    for (let idx = 0; idx < c.inv.length; idx++) out.push(this.shared(STEP_INV, cpu, idx));
    for (let idx = 0; idx < c.hu.length; idx++) {
      const h = c.hu[idx] as OwedUpdate;
      if (s.mem[pteCell(h.va)] === h.desc) out.push(this.shared(STEP_HU, cpu, idx));
    }
    if (this.options.evictions) for (let idx = 0; idx < c.tlb.length; idx++) out.push(this.shared(STEP_EVICT, cpu, idx));
  }

  // Transitions are immutable plain data, so enabled() hands out shared ones rather than building
  // them again for every state (they were a sixth of what a search allocates): walks, invalidation
  // completions, hardware updates and evictions by kind, CPU and number (variable or list index),
  // exec steps by CPU and choice (execStep).
  private readonly steps: SideStep[][] = [];
  private readonly execSteps = new Map<number, Transition>();

  private shared(kind: number, cpu: number, n: number): SideStep {
    const row = (this.steps[kind * 4096 + cpu] ??= []);
    let t = row[n];
    if (t === undefined) {
      t = kind === STEP_WALK ? { k: 'walk', cpu, va: n } : kind === STEP_INV ? { k: 'inv', cpu, idx: n } : kind === STEP_HU ? { k: 'hu', cpu, idx: n } : { k: 'evict', cpu, idx: n };
      for (let i = row.length; i < n; i++) row.push(undefined as unknown as SideStep);
      row[n] = t;
    }
    return t;
  }

  // An exec step of `cpu` through `via` (undefined: none), with `fail` (undefined, false, true).
  private execStep(cpu: number, via: Via | undefined, fail: boolean | undefined): Transition {
    const v = via === undefined ? 0 : via.kind === 'walk' ? (via.stale ? 2 : 1) : (via.kind === 'tlb' ? 3 : 4) + 2 * (via.desc + 1);
    const key = ((v * 3 + (fail === undefined ? 0 : fail ? 2 : 1)) * 4096) + cpu;
    let t = this.execSteps.get(key);
    if (t === undefined) {
      t = via === undefined ? { k: 'exec', cpu } : fail === undefined ? { k: 'exec', cpu, via } : { k: 'exec', cpu, via, fail };
      this.execSteps.set(key, t);
    }
    return t;
  }

  // The via objects of enabled(), shared likewise (by kind and descriptor).
  private readonly vias = new Map<number, Via>();

  private viaOf(kind: 'tlb' | 'early', desc: number): Via {
    const key = 2 * desc + (kind === 'tlb' ? 0 : 1);
    let v = this.vias.get(key);
    if (v === undefined) {
      v = kind === 'tlb' ? { kind: 'tlb', desc } : { kind: 'early', desc };
      this.vias.set(key, v);
    }
    return v;
  }

  /**
   * Partial-order reduction (explorer/system.ts `reduce`): when some CPU's next instruction
   * only computes on its own registers (LOCAL_OPS), that one step is a persistent set. No other
   * transition reads or writes what it touches, it is never disabled, it changes nothing a
   * hazard or flag looks at, and it moves the pc forward (no branch), so taking it first loses
   * no outcome or finding and cannot postpone other steps forever. The relaxed machine's
   * transitions are not 'exec' steps, so it is never reduced.
   */
  reduce(s: MachineState, ts: readonly Transition[]): readonly number[] | undefined {
    for (let i = 0; i < ts.length; i++) if (this.forces(s, ts[i] as Transition)) return [i];
    return undefined;
  }

  /** Whether `reduce` takes `t` alone when it is the first such in the enabled list (it reads t's CPU alone). */
  forces(s: MachineState, t: Transition): boolean {
    if (t.k !== 'exec') return false;
    const pc = cpuOf(s, t.cpu).pc;
    return pc >= 0 && this.local[t.cpu]?.[pc] === true;
  }

  /**
   * Sleep sets (explorer/system.ts `sleep`): the group of `t` in `s`, or -1. Group 2c is CPU c's
   * instruction when it is a LOCAL_OPS one or a load; group 2c+1 is the completions of TLB
   * invalidations pending on CPU c. Such steps of two different CPUs commute and neither enables,
   * disables or changes the other: a load reads memory and its own CPU's records and writes only
   * its own CPU (a TLB fill and the shadows that follow, an owed Access-flag update, a fault
   * record, which is a set); a completion touches only its own CPU's records; neither writes
   * memory. What an access shows a hazard check (its entry, memory's descriptor) is the same
   * either way. A load is grouped only where taking it cannot make a LOCAL_OPS instruction the
   * next one of its CPU (`reduce` would then force that one first, and the sleep-set argument
   * needs every state it meets on the way to explore what it would have) and cannot discard the
   * execution (a fault in a handler or on a retry).
   */
  sleepGroup(s: MachineState, t: Transition): number {
    const cpu = t.cpu;
    if (cpu >= MAX_SLEEP_CPUS) return -1;
    if (t.k === 'inv') return 2 * cpu + 1;
    if (t.k !== 'exec') return -1;
    const c = cpuOf(s, cpu);
    const local = this.local[cpu] as readonly boolean[];
    if (local[c.pc] === true) return 2 * cpu;
    if (this.slot(cpu, c.pc).op.op !== 'load' || c.retry !== 0) return -1;
    const th = this.threadOf(cpu);
    if (c.pc >= th.mainEnd) return -1;
    if (c.pc + 1 < th.mainEnd && local[c.pc + 1] === true) return -1;
    if (th.handlerStart >= 0 && local[th.handlerStart] === true) return -1;
    return 2 * cpu;
  }

  /** The groups whose steps may not commute with those of group `g` (sleepGroup): both of its CPU's. */
  sleepConflicts(g: number): number {
    return 3 << (g & ~1);
  }

  /** A mask of sleep groups once CPU i has become CPU perm[i]. */
  sleepPermute(mask: number, perm: readonly number[]): number {
    let out = 0;
    for (let i = 0; i < perm.length && i < MAX_SLEEP_CPUS; i++) {
      const j = perm[i] as number;
      if (j < MAX_SLEEP_CPUS) out |= ((mask >>> (2 * i)) & 3) << (2 * j);
    }
    return out;
  }

  /** The state after `t`; `events` (if given) receives the accesses `t` made through the TLB. */
  step(s: MachineState, t: Transition, events?: AccessEvent[]): MachineState {
    return this.afterStep(s, this.transition(s, t, events));
  }

  /** What every step ends with: shadow entries kept up to date, then quiet remaps noted. */
  protected afterStep(prev: MachineState, next: MachineState): MachineState {
    return this.noteQuietRemaps(prev, this.syncShadows(prev, next));
  }

  /**
   * Speculative walks as a closure rather than as steps. A walker may read PTE(va) at any time
   * and cache what it reads (Arm ARM D8.2), so the set of translations a CPU may hold is every
   * descriptor PTE(va) held since its last invalidation of va completed; which subset a run has
   * walked only matters through which entry a later access uses, and an access may pick any
   * entry. So each CPU's TLB holds that whole set: the walk steps and the states that differ
   * only in which walks happened are gone, with the same outcomes and hazards.
   * invariant (after every step), for each CPU and each va whose PTE can change:
   *  - a cacheable current descriptor (valid, af:1) has an entry that escaped no TLBI;
   *  - a faulting current descriptor has an early walk (only for a CPU that may translate va:
   *    nothing else reads early walks);
   *  - likewise the old value of the CPU's own store its walker may still see (stale record).
   * Exceptions, kept as steps: a walk that sets the Access flag (TTHM=HA on af:0) writes memory,
   * so it happens at a chosen time (enabled/afWalk).
   */
  protected syncShadows(prev: MachineState, next: MachineState): MachineState {
    if (next.mem === prev.mem && next.cpus === prev.cpus) return next;
    const memChanged = next.mem !== prev.mem;
    let out = next;
    const walked = this.walked;
    for (let k = 0; k < walked.length; k++) {
      // (indexing, not destructuring: a destructured tuple allocates an iterator per pair and step)
      const w = walked[k] as readonly [number, number, boolean];
      const cpu = w[0];
      const va = w[1];
      const translating = w[2];
      const c = cpuOf(out, cpu);
      // The invariant can only break where memory or this CPU's translation records changed.
      // (the same object first: most CPUs are, and their fields are then not read, each CPU object a
      // likely cache miss)
      const p = prev.cpus[cpu];
      if (!memChanged && (p === c || (p !== undefined && p.tlb === c.tlb && p.early === c.early && p.stale === c.stale))) continue;
      let tlb = c.tlb;
      let early = c.early;
      // The descriptors a walk may read: memory's (k = -1), then, for a translating CPU, the old
      // values of its own stores its walker may still see. Each is cached or is an early fault.
      for (let k = -1; k < (translating ? c.stale.length : 0); k++) {
        const r = k < 0 ? undefined : c.stale[k];
        if (r !== undefined && r.va !== va) continue;
        const id = r === undefined ? (out.mem[pteCell(va)] ?? 0) : r.old;
        if (this.walkFault(id, cpu) === undefined) tlb = this.coverTlb(tlb, va, id);
        else if (translating) early = coverEarly(early, va, id);
      }
      if (tlb !== c.tlb || early !== c.early) out = withCpu(out, cpu, cpuWith(c, { tlb, early }));
    }
    return out;
  }

  /** `tlb` with an entry (that escaped no TLBI) for non-faulting descriptor `id` of `va`, if a walk may cache it (af:1). */
  private coverTlb(tlb: readonly TlbEntry[], va: number, id: number): readonly TlbEntry[] {
    if ((this.descOf(id) as Desc).af !== 1) return tlb;
    for (let i = 0; i < tlb.length; i++) {
      const e = tlb[i] as TlbEntry;
      if (e.va === va && e.desc === id && e.escProc < 0) return tlb;
    }
    return insertSorted(tlb, tlbEntry(va, id, -1, -1));
  }

  /**
   * PTE(va) was just written: a hardware update still owed on it can no longer be atomic with
   * the read it belongs to (even if the descriptor now holds the same value again), so the run
   * is not an execution and is discarded.
   */
  protected descriptorWritten(s: MachineState, va: number): MachineState {
    const owner = s.cpus.findIndex((c) => c.hu.some((h) => h.va === va));
    return owner < 0 ? s : withCpu(s, owner, cpuWith(cpuOf(s, owner), { pc: -2 }));
  }

  /** Remembers the read-only remaps of `next` that only herd's whole-execution content check can condemn. */
  protected noteQuietRemaps(prev: MachineState, next: MachineState): MachineState {
    if (next.mem === prev.mem && next.cpus === prev.cpus) return next;
    // invariant: remaps holds every quiet remap of every state so far. A CPU's quiet remaps
    // depend only on memory and its own TLB, stale-walk and owed-update records: with memory
    // unchanged, only CPUs whose records changed can have new ones.
    const memSame = next.mem === prev.mem;
    if (memSame) {
      let i = 0;
      while (i < next.cpus.length && sameRemapInputs(prev.cpus[i], next.cpus[i])) i++;
      if (i === next.cpus.length) return next;
    }
    const quiet = quietRemaps(this.prog, next, memSame ? (cpu) => !sameRemapInputs(prev.cpus[cpu], next.cpus[cpu]) : undefined);
    if (quiet.length === 0) return next;
    let remaps = next.remaps;
    for (const q of quiet) remaps = insertSorted(remaps, q);
    return remaps === next.remaps ? next : stateWith(next, { remaps });
  }

  protected transition(s: MachineState, t: Transition, events?: AccessEvent[]): MachineState {
    switch (t.k) {
      case 'exec':
        return this.exec(s, t.cpu, t.via, t.fail === true, events);
      case 'walk':
        return this.afWalk(s, t.cpu, t.va);
      case 'inv':
        return this.completeInv(s, t.cpu, t.idx);
      case 'evict': {
        const c = cpuOf(s, t.cpu);
        return withCpu(s, t.cpu, cpuWith(c, { tlb: c.tlb.filter((_, i) => i !== t.idx) }));
      }
      case 'hu': {
        const c = cpuOf(s, t.cpu);
        const h = c.hu[t.idx];
        if (h === undefined || s.mem[pteCell(h.va)] !== h.desc) throw new Error('[internal] hardware update not possible');
        // Like any write, it clears exclusive monitors on the descriptor (Arm ARM B2.9).
        const cell = pteCell(h.va);
        const cpus = s.cpus.map((o, i) => (i === t.cpu ? cpuWith(c, { hu: c.hu.filter((_, j) => j !== t.idx) }) : o)).map((o) => (o.excl === cell ? cpuWith(o, { excl: -1 }) : o));
        return this.descriptorWritten(stateWith(s, { mem: setAt(s.mem, cell, h.upd), cpus }), h.va);
      }
    }
  }

  // ---- values -------------------------------------------------------------------------

  protected val(id: number): Val {
    return this.prog.values.get(id);
  }

  protected reg(c: CpuState, r: Reg): number {
    return r === ZR ? 0 : (c.regs[r] ?? 0);
  }

  protected src(c: CpuState, s: Src, proc: number, pc: number): number {
    if (s.kind === 'imm') return this.prog.values.int(wrap64(s.value));
    const id = this.reg(c, s.reg);
    if (s.extend === undefined || (s.extend === 'LSL' && (s.amount ?? 0n) === 0n)) return id;
    const x = this.val(id);
    if (x.k !== 'int') throw new ModelUnsupported(proc, pc, `${s.extend} of a non-integer value`);
    let n = x.n;
    if (s.extend === 'SXTW') n = BigInt.asIntN(32, n);
    else if (s.extend === 'UXTW') n = BigInt.asUintN(32, n);
    else if (s.extend !== 'SXTX' && s.extend !== 'UXTX' && s.extend !== 'LSL') throw new ModelUnsupported(proc, pc, `operand extend ${s.extend}`);
    if (s.amount !== undefined) n = n << s.amount;
    return this.prog.values.int(wrap64(n));
  }

  protected intOf(id: number): bigint | undefined {
    const x = this.val(id);
    return x.k === 'int' ? x.n : undefined;
  }

  protected alu(fn: string, a: number, b: number, w: boolean, proc: number, pc: number): number {
    const V = this.prog.values;
    const x = this.intOf(a);
    const y = this.intOf(b);
    if (x !== undefined && y !== undefined) {
      let r: bigint;
      const sh = y & (w ? 31n : 63n);
      const ux = w ? BigInt.asUintN(32, x) : BigInt.asUintN(64, x);
      switch (fn) {
        case 'add': r = x + y; break;
        case 'sub': r = x - y; break;
        case 'and': r = x & y; break;
        case 'orr': r = x | y; break;
        case 'eor': r = x ^ y; break;
        case 'bic': r = x & ~y; break;
        case 'lsl': r = x << sh; break;
        case 'lsr': r = ux >> sh; break;
        case 'asr': r = (w ? BigInt.asIntN(32, x) : x) >> sh; break;
        default: throw new Error(`[internal] alu ${fn}`);
      }
      return V.int(w ? wrap32(r) : wrap64(r));
    }
    // Symbolic operands: the identities litmus tests use for dependencies and TLBI operands.
    if (y === 0n && (fn === 'add' || fn === 'sub' || fn === 'orr' || fn === 'eor' || fn === 'lsl' || fn === 'lsr' || fn === 'bic')) return a;
    if (x === 0n && (fn === 'add' || fn === 'orr' || fn === 'eor')) return b;
    if ((y === 0n || x === 0n) && fn === 'and') return V.int(0n);
    if (a === b && (fn === 'eor' || fn === 'sub' || fn === 'bic')) return V.int(0n);
    if (a === b && (fn === 'and' || fn === 'orr')) return a;
    const xv = this.val(a);
    if (xv.k === 'desc' && y !== undefined && (fn === 'orr' || fn === 'bic' || fn === 'and')) {
      // Bitwise operations on a descriptor act on its fields' bits (model/descriptor-bits.ts).
      if (fn === 'and') {
        const r = andDescBits(xv.d, y);
        if (r !== undefined) return V.int(r);
      } else {
        const d = setDescBits(xv.d, y, fn === 'orr');
        if (d !== undefined) return V.intern({ k: 'desc', d });
      }
      throw new ModelUnsupported(proc, pc, `${fn.toUpperCase()} of a descriptor with a mask (${y}) touching bits other than valid, AP[1], AP[2], AF, DBM, XN`);
    }
    if (xv.k === 'label' && y !== undefined && (fn === 'add' || fn === 'sub') && y % 4n === 0n) {
      // Code addresses: each instruction is 4 bytes (ELR_EL1 + 4 is the next instruction).
      const to = xv.pc + Number(fn === 'add' ? y / 4n : -y / 4n);
      const label = this.threadOf(xv.proc).code[to]?.labels[0] ?? `@${to}`;
      return V.intern({ k: 'label', proc: xv.proc, label, pc: to });
    }
    if (xv.k === 'va' && y !== undefined) {
      if (fn === 'add') return V.intern({ k: 'va', v: xv.v, off: xv.off + y });
      if (fn === 'sub') return V.intern({ k: 'va', v: xv.v, off: xv.off - y });
      // VA >> 12 is the page number TLBI by VA takes (Arm ARM C5.5: Xt holds VA[55:12]).
      if (fn === 'lsr' && y === 12n && xv.off >= 0n && xv.off < 4096n) return V.intern({ k: 'page', v: xv.v });
    }
    throw new ModelUnsupported(proc, pc, `arithmetic ${fn.toUpperCase()} on symbolic values is not supported`);
  }

  /** `c`'s register list with register `r` set to value `id` (its low 32 bits for a W register). */
  protected regsWith(c: CpuState, r: Reg, id: number, w: boolean): readonly number[] {
    if (r === ZR) return c.regs;
    let v = id;
    if (w) {
      const n = this.intOf(id);
      if (n !== undefined) v = this.prog.values.int(wrap32(n));
    }
    if (c.regs[r] === v) return c.regs;
    // (the list ends after the highest register the program names, load.ts)
    if (r >= c.regs.length) throw new Error(`[internal] write of X${r} past the register list (${c.regs.length})`);
    const regs = c.regs.slice();
    regs[r] = v;
    return regs;
  }

  protected condHolds(flags: number, cond: CondCode, proc: number, pc: number): boolean {
    const N = (flags & 8) !== 0;
    const Z = (flags & 4) !== 0;
    const C = (flags & 2) !== 0;
    const V = (flags & 1) !== 0;
    if ((flags & 16) !== 0 && cond !== 'EQ' && cond !== 'NE') throw new ModelUnsupported(proc, pc, `condition ${cond} after comparing symbolic values`);
    switch (cond) {
      case 'EQ': return Z;
      case 'NE': return !Z;
      case 'HS': return C;
      case 'LO': return !C;
      case 'MI': return N;
      case 'PL': return !N;
      case 'HI': return C && !Z;
      case 'LS': return !C || Z;
      case 'GE': return N === V;
      case 'LT': return N !== V;
      case 'GT': return !Z && N === V;
      case 'LE': return Z || N !== V;
    }
  }

  protected compare(a: number, b: number, w: boolean): number {
    const x = this.intOf(a);
    const y = this.intOf(b);
    if (x === undefined || y === undefined) return a === b ? 4 | 2 : 16;
    const bits = w ? 32 : 64;
    const ux = BigInt.asUintN(bits, x);
    const uy = BigInt.asUintN(bits, y);
    const r = BigInt.asUintN(bits, ux - uy);
    const sx = BigInt.asIntN(bits, x);
    const sy = BigInt.asIntN(bits, y);
    const sr = sx - sy;
    const N = BigInt.asIntN(bits, r) < 0n;
    const Z = r === 0n;
    const C = ux >= uy;
    const V = sr !== BigInt.asIntN(bits, sr);
    return (N ? 8 : 0) | (Z ? 4 : 0) | (C ? 2 : 0) | (V ? 1 : 0);
  }

  // ---- translation ----------------------------------------------------------------------

  /** The address an access names: a virtual address (translated) or a descriptor (direct). */
  protected address(c: CpuState, a: Addr, proc: number, pc: number): Address {
    let id = this.reg(c, a.base);
    if (a.offset !== undefined) id = this.alu('add', id, this.src(c, a.offset, proc, pc), false, proc, pc);
    const known = this.addresses[id];
    if (known !== undefined) return known;
    const out = this.addressOf(id, proc, pc);
    while (this.addresses.length <= id) this.addresses.push(undefined);
    this.addresses[id] = out;
    return out;
  }

  // address()'s answers by the address's value id (shared objects: they depend on nothing else,
  // and every load and store asked for one when its choices were listed and again when it ran)
  private readonly addresses: (Address | undefined)[] = [];

  private addressOf(id: number, proc: number, pc: number): Address {
    const x = this.val(id);
    if (x.k === 'va') {
      if (x.off === 0n) return { kind: 'va', v: x.v };
      // An element of a C array (int x[3]): the offset selects it within the page.
      const arr = this.prog.arrays[x.v];
      const k = arr === undefined ? -1n : x.off / BigInt(arr.size);
      if (arr === undefined || x.off % BigInt(arr.size) !== 0n || k < 0n || k >= BigInt(arr.length)) {
        throw new ModelUnsupported(proc, pc, `access at an offset (${x.off}) from ${this.prog.vars[x.v] ?? 'a variable'}: only whole elements of an array declared in the init block (int x[3]) are supported`);
      }
      return { kind: 'va', v: x.v, k: Number(k) };
    }
    if (x.k === 'pte') return { kind: 'pte', v: x.v };
    throw new ModelUnsupported(proc, pc, `access to an address that is not a variable or PTE(x) (register holds ${describeVal(x)})`);
  }

  protected descOf(id: number): Desc | undefined {
    const x = this.val(id);
    return x.k === 'desc' ? x.d : undefined;
  }

  /**
   * Why a walk that read `id` faults for a load (the cacheability question), or undefined.
   * Arm ARM D8.5 (Access flag) and herd's check_ptw: valid:0 is a Translation fault; af:0 is an
   * AccessFlag fault unless the thread has hardware AF management (TTHM=HA).
   */
  protected walkFault(id: number, proc: number): FaultType | undefined {
    const d = this.descOf(id);
    if (d === undefined || d.valid === 0) return 'Translation';
    if (d.af === 0 && !this.threadOf(proc).ha) return 'AccessFlag';
    return undefined;
  }

  /**
   * Permission checks on a usable translation (Arm ARM D8.4): a store through db:0 faults unless
   * TTHM=HD and dbm:1; an EL0 thread faults on el0:0 (not inside its handler, as in herd).
   */
  protected permissionFault(d: Desc, proc: number, write: boolean, inHandler: boolean): boolean {
    const t = this.threadOf(proc);
    if (t.el0 && !inHandler && d.el0 === 0) return true;
    return write && d.db === 0 && !(t.hd && d.dbm === 1);
  }

  protected threadOf(proc: number) {
    const t = this.prog.threads[proc];
    if (t === undefined) throw new Error(`[internal] no thread ${proc}`);
    return t;
  }

  /** The descriptor a walk by `cpu` for `va` reads now: memory, or its own invisible store's old value. */
  protected walkRead(s: MachineState, cpu: number, va: number, stale: boolean): number | undefined {
    if (!stale) return s.mem[pteCell(va)] ?? 0;
    return cpuOf(s, cpu).stale.find((r) => r.va === va)?.old;
  }

  /** Whether a walk by `cpu` of `va` now would set the Access flag in memory (TTHM=HA on a valid af:0). */
  protected walkUpdates(s: MachineState, cpu: number, va: number): boolean {
    const d = this.descOf(s.mem[pteCell(va)] ?? 0);
    return this.threadOf(cpu).ha && d !== undefined && d.valid === 1 && d.af === 0;
  }

  /**
   * Whether an Access-flag-setting walk (walkUpdates) can lead anywhere new: no CPU owes an
   * update of PTE(va) yet. A walker may walk again what it has cached (an entry may be evicted at
   * any time), and each such walk owes an update: herd's "phantom" updates (TwoPhantoms: AF seen
   * going from 0 to 1 twice). While one update is owed, a second could never be made as well
   * (the first changes the descriptor; see descriptorWritten), so that walk is not offered.
   */
  protected walkUseful(s: MachineState, _cpu: number, va: number): boolean {
    return !s.cpus.some((c) => c.hu.some((h) => h.va === va));
  }

  protected withAf(id: number): number {
    const d = this.descOf(id) as Desc;
    return this.prog.values.intern({ k: 'desc', d: { ...d, af: 1 } });
  }

  /**
   * A speculative walk that sets the Access flag (walkUpdates): caches the valid af:0 descriptor
   * memory holds, with AF set, and owes the update. (Walks that change nothing in memory are in
   * the closure, syncShadows.)
   */
  /** Whether a store's dirty-state update is owed as a later step (the relaxed model) rather than made with its walk. */
  protected deferDirty = false;

  protected afWalk(s: MachineState, cpu: number, va: number): MachineState {
    return this.fill(s, cpu, va, s.mem[pteCell(va)] ?? 0).state;
  }

  /** Caches the valid descriptor `id` for `va` in `cpu`'s TLB, doing the hardware AF update if due. */
  protected fill(s: MachineState, cpu: number, va: number, id: number): { state: MachineState; desc: number } {
    let desc = id;
    let c = cpuOf(s, cpu);
    if ((this.descOf(id) as Desc).af === 0) {
      // TTHM=HA: the walker uses the descriptor as if AF were set and owes the atomic update
      // that sets it in memory (Arm ARM D8.5.1); the update is a later step ('hu').
      if (s.mem[pteCell(va)] !== id) throw new Error('[internal] hardware AF update of a descriptor memory no longer holds');
      desc = this.withAf(id);
      c = cpuWith(c, { hu: insertSorted(c.hu, { va, desc: id, upd: desc, pc: -1 }) });
    }
    if (this.prog.mutablePte[va] === true) c = cpuWith(c, { tlb: insertSorted(c.tlb, tlbEntry(va, desc, -1, -1)) });
    return { state: withCpu(s, cpu, c), desc };
  }

  protected completeInv(s: MachineState, cpu: number, idx: number): MachineState {
    const c = cpuOf(s, cpu);
    const inv = c.inv[idx];
    if (inv === undefined) throw new Error('[internal] no such invalidation');
    const hit = (va: number): boolean => inv.va === ALL_PAGES || inv.va === va;
    // On another CPU, a walk made before the TLBI cannot be used after it completes (herd's
    // TLBI-ob orders such a walk, and its access or fault, before what follows the TLBI's DSB).
    // On the issuing CPU only the walk is ordered, not the access: until an ISB, a later
    // instruction may still use a translation walked before the TLBI (herd: DSB-ob does not order
    // walks; coWRExpNExp+DSB-TLBI-DSB is allowed), so removed entries become early walks.
    const own = inv.issuer === cpu;
    // (lists filtered only when something goes: this runs for every completion on every CPU)
    const hits = c.tlb.some((e) => hit(e.va));
    let early = own || !c.early.some((e) => hit(e.va)) ? c.early : c.early.filter((e) => !hit(e.va));
    // (Only where this CPU may translate the address: nothing else reads early walks.)
    if (own && hits) for (const e of c.tlb) if (hit(e.va) && this.translates[cpu]?.[e.va] === true) early = insertSorted(early, earlyFault(e.va, e.desc));
    return withCpu(s, cpu, cpuWith(c, {
      tlb: hits ? c.tlb.filter((e) => !hit(e.va)) : c.tlb,
      early,
      // A walk after the TLBI must see at least the writes before it (herd: TLBI-ca), and this
      // CPU's own earlier store is one of them, so its walker no longer sees the old value.
      stale: c.stale.some((r) => hit(r.va)) ? c.stale.filter((r) => !hit(r.va)) : c.stale,
      inv: c.inv.filter((_, i) => i !== idx),
    }));
  }

  // ---- instructions ---------------------------------------------------------------------

  protected slot(cpu: number, pc: number) {
    const s = this.threadOf(cpu).code[pc];
    if (s === undefined) throw new Error(`[internal] P${cpu} has no instruction ${pc}`);
    return s;
  }

  /**
   * The exec steps of `cpu`'s instruction in `s`, as CPU `c` (by default the state's own; the
   * relaxed machine passes a copy at another pc and with other registers, which is all it changes:
   * what else the choices read, memory, the CPU's TLB and stale records and the TLBIs pending on
   * the others, is the state's).
   */
  protected execChoices(s: MachineState, cpu: number, out: Transition[], c: CpuState = cpuOf(s, cpu)): void {
    const op = this.slot(cpu, c.pc).op;
    switch (op.op) {
      case 'dsb':
        if (!this.dsbWaits(s, cpu, op)) out.push(this.execStep(cpu, undefined, undefined));
        return;
      case 'load':
      case 'store':
      case 'stxr':
      case 'swp':
      case 'cas':
      case 'rmw':
      case 'at': {
        const a = op.op === 'at' ? this.vaOf(c, op.rt, cpu, c.pc) : this.address(c, op.addr, cpu, c.pc);
        this.pushVia(out, op.op, cpu, c, WALK);
        if (a.kind !== 'pte') {
          // A walk may read the old value of this CPU's own invisible store, except where it would
          // then set the Access flag: that update is an atomic read-modify-write of the descriptor
          // in memory, so it cannot act on a value memory no longer holds.
          const memDesc = s.mem[pteCell(a.v)];
          for (let i = 0; i < c.stale.length; i++) {
            const st = c.stale[i] as StaleWalk;
            if (st.va !== a.v || st.old === memDesc) continue;
            if (this.descOf(st.old)?.af !== 0) this.pushVia(out, op.op, cpu, c, STALE_WALK);
            break;
          }
          for (const e of c.tlb) if (e.va === a.v) this.pushVia(out, op.op, cpu, c, this.viaOf('tlb', e.desc));
          for (const e of c.early) if (e.va === a.v) this.pushVia(out, op.op, cpu, c, this.viaOf('early', e.desc));
        }
        return;
      }
      default:
        out.push(this.execStep(cpu, undefined, undefined));
    }
  }

  // The exec steps of an access of `cpu` (op `kind`) through `via`.
  private pushVia(out: Transition[], kind: Op['op'], cpu: number, c: CpuState, via: Via): void {
    if (kind === 'cas' && this.threadOf(cpu).hd) {
      // A CAS that fails may or may not make a clean descriptor dirty (herd: both are allowed);
      // `fail: true` is the run where the hardware leaves it clean.
      out.push(this.execStep(cpu, via, false), this.execStep(cpu, via, true));
    } else if (kind === 'stxr') {
      // A store-exclusive may always fail (Arm ARM B2.9.5); it can succeed only while the monitor holds.
      out.push(this.execStep(cpu, via, true));
      if (c.excl >= 0) out.push(this.execStep(cpu, via, false));
    } else out.push(this.execStep(cpu, via, undefined));
  }

  /** Whether DSB `op` of `cpu` cannot complete yet in `s`. */
  protected dsbWaits(s: MachineState, cpu: number, op: Extract<Op, { op: 'dsb' }>): boolean {
    if (op.row.completesTlbi && !this.tlbiDone(s, cpu, op.row.domain === 'NSH')) return true;
    // A full DSB also waits for this CPU's owed hardware Access-flag updates (herd: DSB
    // orders them; NT-12-dsb, MP+HA-DSB.ISH), unlike DMB and the LD/ST forms.
    return op.row.type === 'all' && cpuOf(s, cpu).hu.length > 0;
  }

  /** True when no TLBI issued by `cpu` is still pending on a CPU in the DSB's domain. */
  protected tlbiDone(s: MachineState, cpu: number, localOnly: boolean): boolean {
    return s.cpus.every((c, i) => (localOnly && i !== cpu) || !c.inv.some((p) => p.issuer === cpu));
  }

  /**
   * `c` past its instruction, with the fields of `ch` (an object of the caller's, which this
   * completes) changed too: one new CPU for an instruction's whole effect.
   */
  protected advance(c: CpuState, proc: number, ch: { -readonly [K in keyof CpuState]?: CpuState[K] } = {}): CpuState {
    const t = this.threadOf(proc);
    const next = c.pc + 1;
    const end = c.pc < t.mainEnd ? t.mainEnd : t.code.length;
    ch.pc = next >= end ? -1 : next;
    ch.retry = 0;
    return cpuWith(c, ch);
  }

  protected jump(c: CpuState, proc: number, target: string): CpuState {
    const t = this.threadOf(proc);
    const pc = t.labels.get(target);
    if (pc === undefined) throw new ModelUnsupported(proc, c.pc, `branch to unknown label ${target}`);
    const end = c.pc < t.mainEnd ? t.mainEnd : t.code.length;
    if (pc > c.pc || this.prog.unroll <= 0) return cpuWith(c, { pc: pc >= end ? -1 : pc });
    // A backward branch: count it; one more than the bound and the run is cut off (herd unroll).
    const loops = c.loops.slice();
    let i = 0;
    while (i < loops.length && (loops[i] as number) < pc) i += 2;
    if (loops[i] === pc) loops[i + 1] = (loops[i + 1] as number) + 1;
    else loops.splice(i, 0, pc, 1);
    if ((loops[i + 1] as number) > this.prog.unroll) return cpuWith(c, { pc: -2 });
    return cpuWith(c, { pc: pc >= end ? -1 : pc, loops });
  }

  protected labelValue(proc: number, target: string, pc: number): number {
    const t = this.threadOf(proc);
    const at = t.labels.get(target);
    if (at === undefined) throw new ModelUnsupported(proc, pc, `unknown label ${target}`);
    return this.prog.values.intern({ k: 'label', proc, label: target, pc: at });
  }

  /** Takes a fault at the current instruction, per the test's fault mode. */
  protected fault(s: MachineState, cpu: number, va: number, type: FaultType): MachineState {
    const c = cpuOf(s, cpu);
    const t = this.threadOf(cpu);
    const mode = this.prog.faultMode;
    // A supervisor call is an exception whose return address is the next instruction.
    const skip = t.handlerStart < 0 && (mode === 'skip' || (type === 'SupervisorCall' && mode === 'handled'));
    // herd (herd/mem.ml add_fault): a thread with a Pn.F column always enters it, whatever the
    // mode; a fault inside the handler, or a second fault on a handled-mode retry, discards the
    // execution.
    if (t.handlerStart >= 0 ? c.pc >= t.mainEnd : !skip && mode === 'handled' && c.retry === 1) return withCpu(s, cpu, cpuWith(c, { pc: -2 }));
    const faults = withFault(s.faults, { proc: cpu, pc: c.pc, va, type });
    // Exception entry is context-synchronising: early walks and synced stale records are dropped.
    const early = NO_EARLY;
    const stale = syncedDropped(c.stale);
    let next: CpuState;
    if (t.handlerStart >= 0) {
      const ret = type === 'SupervisorCall' ? c.pc + 1 : c.pc;
      const label = (ret < t.mainEnd ? this.slot(cpu, ret).labels[0] : undefined) ?? `@${ret}`;
      const elr = this.prog.values.intern({ k: 'label', proc: cpu, label, pc: ret });
      next = cpuWith(c, { early, stale, pc: t.handlerStart, elr });
    } else if (skip) next = this.advance(c, cpu, { early, stale });
    else if (mode === 'handled') next = cpuWith(c, { early, stale, retry: 1 });
    else next = cpuWith(c, { early, stale, pc: -1 });
    const cpus = s.cpus.slice();
    cpus[cpu] = next;
    return { mem: s.mem, cpus, faults, remaps: s.remaps };
  }

  protected exec(s: MachineState, cpu: number, via: Via | undefined, fail: boolean, events?: AccessEvent[]): MachineState {
    const c = cpuOf(s, cpu);
    const pc = c.pc;
    const op = this.slot(cpu, pc).op;
    const V = this.prog.values;
    switch (op.op) {
      case 'nop':
        return withCpu(s, cpu, this.advance(c, cpu));
      case 'mov':
        return withCpu(s, cpu, this.advance(c, cpu, { regs: this.regsWith(c, op.rd, this.src(c, op.src, cpu, pc), op.w) }));
      case 'alu': {
        const r = this.alu(op.fn, this.reg(c, op.rn), this.src(c, op.src, cpu, pc), op.w, cpu, pc);
        const c1 = op.setFlags ? cpuWith(c, { flags: this.compare(r, 0, op.w) & 12 }) : c;
        if (op.setFlags && op.fn !== 'and') throw new ModelUnsupported(cpu, pc, `flags of ${op.fn.toUpperCase()}S`);
        return withCpu(s, cpu, this.advance(c1, cpu, { regs: this.regsWith(c1, op.rd, r, op.w) }));
      }
      case 'cmp':
        return withCpu(s, cpu, this.advance(c, cpu, { flags: this.compare(this.reg(c, op.rn), this.src(c, op.src, cpu, pc), op.w) }));
      case 'csel': {
        const r = this.condHolds(c.flags, op.cond, cpu, pc) ? this.reg(c, op.rn) : this.reg(c, op.rm);
        return withCpu(s, cpu, this.advance(c, cpu, { regs: this.regsWith(c, op.rd, r, op.w) }));
      }
      case 'cset':
        return withCpu(s, cpu, this.advance(c, cpu, { regs: this.regsWith(c, op.rd, V.int(this.condHolds(c.flags, op.cond, cpu, pc) ? 1n : 0n), op.w) }));
      case 'cbz': {
        const n = this.intOf(this.reg(c, op.rt));
        const isZero = n !== undefined && (op.w ? BigInt.asUintN(32, n) : n) === 0n;
        return withCpu(s, cpu, isZero !== op.nonzero ? this.jump(c, cpu, op.target) : this.advance(c, cpu));
      }
      case 'b':
        if (op.cond === undefined || this.condHolds(c.flags, op.cond, cpu, pc)) return withCpu(s, cpu, this.jump(c, cpu, op.target));
        return withCpu(s, cpu, this.advance(c, cpu));
      case 'adr':
        return withCpu(s, cpu, this.advance(c, cpu, { regs: this.regsWith(c, op.rd, this.labelValue(cpu, op.target, pc), false) }));
      case 'msr':
        return withCpu(s, cpu, this.advance(c, cpu, { elr: this.reg(c, op.rt) }));
      case 'mrs': {
        const sr = op.sysreg === 'ELR_EL1' ? c.elr : c.par;
        return withCpu(s, cpu, this.advance(c, cpu, { regs: this.regsWith(c, op.rt, sr < 0 ? 0 : sr, false) }));
      }
      case 'eret': {
        // Exception return is context-synchronising (Arm ARM D1.3); it resumes at ELR_EL1.
        const x = c.elr < 0 ? undefined : this.val(c.elr);
        if (x === undefined || x.k !== 'label') throw new ModelUnsupported(cpu, pc, 'ERET with ELR_EL1 not holding a code label');
        const t = this.threadOf(cpu);
        return withCpu(s, cpu, cpuWith(c, { early: NO_EARLY, stale: syncedDropped(c.stale), pc: x.pc >= t.mainEnd ? -1 : x.pc }));
      }
      case 'udf':
        return this.fault(s, cpu, -1, 'UndefinedInstruction');
      case 'svc':
        return this.fault(s, cpu, -1, 'SupervisorCall');
      case 'dmb':
        // Sequentially consistent data: DMB orders nothing more.
        return withCpu(s, cpu, this.advance(c, cpu));
      case 'isb':
        // Context synchronisation (Arm ARM B2.3.12): later instructions translate afresh, so early
        // walks are dropped, and page-table stores a DSB has completed become visible to walks.
        return withCpu(s, cpu, this.advance(c, cpu, { early: NO_EARLY, stale: syncedDropped(c.stale) }));
      case 'dsb':
        return this.dsb(s, cpu);
      case 'tlbi':
        return this.tlbi(s, cpu);
      case 'at':
        return this.at(s, cpu, op, via ?? { kind: 'walk', stale: false });
      default:
        return this.access(s, cpu, op, via ?? { kind: 'walk', stale: false }, fail, events);
    }
  }

  /**
   * DSB (Arm ARM D8.13, B2.3.12): waits (enabledness) for this CPU's TLBIs to complete in its
   * domain and completes its earlier page-table stores (a later ISB makes them visible to its
   * walks). It does not order later walks (herd's DSB-ob excludes them), so early walks stay.
   * A TLBI that this DSB takes as complete but that left a matching entry in some TLB (out of
   * its scope, or still pending there) marks that entry as having escaped it.
   */
  protected dsb(s: MachineState, cpu: number): MachineState {
    const c = cpuOf(s, cpu);
    const op = this.slot(cpu, c.pc).op;
    if (op.op !== 'dsb') throw new Error('[internal] dsb');
    const row = op.row;
    let cpus = s.cpus;
    let unsynced = c.unsynced;
    if (row.completesTlbi && c.unsynced.length > 0) {
      cpus = cpus.map((o, i) => {
        if (i === cpu) return o;
        let changed = false;
        const tlb = o.tlb.map((e) => {
          if (e.escProc >= 0) return e;
          const u = c.unsynced.find((u) => u.va === ALL_PAGES || u.va === e.va);
          if (u === undefined) return e;
          const covered = u.broadcast && row.domain !== 'NSH';
          if (covered) return e;
          changed = true;
          return tlbEntry(e.va, e.desc, cpu, u.pc);
        });
        return changed ? cpuWith(o, { tlb: [...tlb].sort(cmpTlb) }) : o;
      });
      unsynced = [];
    }
    const stale = row.type === 'ld' ? c.stale : c.stale.map((r) => (r.synced === 1 ? r : { va: r.va, old: r.old, synced: 1 }));
    const next: CpuState = this.advance(c, cpu, { unsynced, stale });
    return stateWith(s, { cpus: cpus.map((o, i) => (i === cpu ? next : o)) });
  }

  protected tlbi(s: MachineState, cpu: number): MachineState {
    const c = cpuOf(s, cpu);
    const op = this.slot(cpu, c.pc).op;
    if (op.op !== 'tlbi') throw new Error('[internal] tlbi');
    let va = ALL_PAGES;
    if (op.row.scope === 'va') {
      const x = this.val(this.reg(c, op.rt ?? ZR));
      // Xt holds VA[55:12] (Arm ARM C5.5). Any operand other than a variable's page number names
      // a page no variable is mapped at, so the TLBI removes nothing here (herd: not in scope).
      va = x.k === 'page' ? x.v : NO_PAGE;
    }
    const inv: PendingInv = { issuer: cpu, pc: c.pc, va };
    const cpus = s.cpus.map((o, i) => {
      if (i !== cpu && !op.row.broadcast) return o;
      const base = i === cpu ? cpuWith(o, { unsynced: insertSorted(o.unsynced, unsyncedRec(c.pc, va, op.row.broadcast)) }) : o;
      return cpuWith(base, { inv: insertSorted(base.inv, inv) });
    });
    const me = cpus[cpu] as CpuState;
    return stateWith(s, { cpus: cpus.map((o, i) => (i === cpu ? this.advance(me, cpu) : o)) });
  }

  /**
   * Translates an access of P(cpu)'s instruction at `pc` to `a` by `via`: the memory cell it
   * reaches and the state after the walk's side effects (TLB fill, hardware AF/dirty updates),
   * or the fault it takes. `keepClean(cell)` says a failing CAS leaves a clean descriptor clean.
   */
  protected translate(
    s: MachineState,
    cpu: number,
    pc: number,
    a: { kind: 'va' | 'pte'; v: number; k?: number },
    via: Via,
    writes: boolean,
    keepClean: (cell: number) => boolean,
    events?: AccessEvent[],
  ): { ok: true; state: MachineState; cell: number } | { ok: false; va: number; type: FaultType } {
    const inHandler = pc >= this.threadOf(cpu).mainEnd;
    const c0 = cpuOf(s, cpu);
    if (a.kind === 'pte') {
      // Page tables are reached untranslated at EL1; an EL0 thread may not touch them (herd: EL0 permission fault).
      if (this.threadOf(cpu).el0 && !inHandler) return { ok: false, va: a.v, type: 'Permission' };
      return { ok: true, state: s, cell: pteCell(a.v) };
    }
    let st = s;
    let descId: number;
    const ef = via.kind === 'early' ? this.walkFault(via.desc, cpu) : undefined;
    if (via.kind === 'early' && ef !== undefined) return { ok: false, va: a.v, type: ef };
    if (via.kind === 'early') descId = via.desc;
    else if (via.kind === 'tlb') {
      descId = via.desc;
      const entry = c0.tlb.find((e) => e.va === a.v && e.desc === descId);
      if (entry === undefined) throw new Error('[internal] no such TLB entry');
      events?.push({ cpu, pc, va: a.v, entry });
    } else {
      const read = this.walkRead(s, cpu, a.v, via.stale);
      if (read === undefined) throw new Error('[internal] stale walk without record');
      const ft = this.walkFault(read, cpu);
      if (ft !== undefined) return { ok: false, va: a.v, type: ft };
      const f = this.fill(s, cpu, a.v, read);
      st = f.state;
      descId = f.desc;
      events?.push({ cpu, pc, va: a.v });
    }
    const d = this.descOf(descId) as Desc;
    if (this.permissionFault(d, cpu, writes, inHandler)) return { ok: false, va: a.v, type: 'Permission' };
    let used = d;
    if (writes && d.db === 0 && !keepClean(elementCell(this.prog, d.oa, a.k ?? 0) ?? dataCell(d.oa))) {
      // TTHM=HD with dbm:1: the walk for the store sets the dirty state (and the Access flag) of
      // the descriptor in memory by an atomic update (Arm ARM D8.5.2 "Hardware management of
      // the dirty state"); a clean TLB entry cannot be used to write, so the update reads memory.
      const memId = st.mem[pteCell(a.v)] ?? 0;
      const ft = this.walkFault(memId, cpu);
      if (ft !== undefined) return { ok: false, va: a.v, type: ft };
      const m = this.descOf(memId) as Desc;
      if (this.permissionFault(m, cpu, true, inHandler)) return { ok: false, va: a.v, type: 'Permission' };
      used = { ...m, af: 1, db: 1 };
      const dirty = this.prog.values.intern({ k: 'desc', d: used });
      const cm = cpuOf(st, cpu);
      const tlb = insertSorted(cm.tlb.filter((e) => !(e.va === a.v && e.desc === descId)), tlbEntry(a.v, dirty, -1, -1));
      if (this.deferDirty) {
        // The update is owed, a step of its own (relaxed model: herd's HU is ordered apart from its store).
        const hu = insertSorted(cm.hu.filter((h) => !(h.va === a.v && h.pc === -1)), { va: a.v, desc: memId, upd: dirty, pc });
        st = withCpu(st, cpu, cpuWith(cm, { tlb, hu }));
      } else st = this.descriptorWritten(withCpu(stateWith(st, { mem: setAt(st.mem, pteCell(a.v), dirty) }), cpu, cpuWith(cm, { tlb })), a.v);
    }
    if (used.oa < 0) throw new ModelUnsupported(cpu, pc, 'descriptor without an output address');
    const cell = elementCell(this.prog, used.oa, a.k ?? 0);
    if (cell === undefined) throw new ModelUnsupported(cpu, pc, `element ${a.k ?? 0} of ${this.prog.vars[a.v] ?? 'a variable'} maps to ${this.prog.vars[used.oa] ?? 'a page'}, which has no such element`);
    return { ok: true, state: st, cell };
  }

  protected access(s: MachineState, cpu: number, op: Op, via: Via, fail: boolean, events?: AccessEvent[]): MachineState {
    if (op.op !== 'load' && op.op !== 'store' && op.op !== 'stxr' && op.op !== 'swp' && op.op !== 'cas' && op.op !== 'rmw') throw new Error('[internal] access');
    const c0 = cpuOf(s, cpu);
    const pc = c0.pc;
    const a = this.address(c0, op.addr, cpu, pc);
    const writes = op.op !== 'load';
    const tr = this.translate(s, cpu, pc, a, via, writes, (cell) => op.op === 'cas' && fail && !this.sameValue(s.mem[cell] ?? 0, this.reg(c0, op.rs), op.w), events);
    if (!tr.ok) return this.fault(s, cpu, tr.va, tr.type);
    return this.performOn(tr.state, cpu, op, tr.cell, fail);
  }

  /**
   * The data part of an access of P(cpu)'s current instruction on memory cell `cell` (already
   * translated): read, write or both atomically; registers, monitors, the CPU's own-store record,
   * and the pc advanced.
   */
  protected performOn(st: MachineState, cpu: number, op: Op, cell: number, fail: boolean): MachineState {
    if (op.op !== 'load' && op.op !== 'store' && op.op !== 'stxr' && op.op !== 'swp' && op.op !== 'cas' && op.op !== 'rmw') throw new Error('[internal] access');
    const c = cpuOf(st, cpu);
    const pc = c.pc;
    const V = this.prog.values;
    const old = st.mem[cell] ?? 0;
    // what the access changes in this CPU, applied with the pc's advance (one new CPU)
    const ch: { -readonly [K in keyof CpuState]?: CpuState[K] } = {};
    let write: number | undefined;
    switch (op.op) {
      case 'load':
        ch.regs = this.regsWith(c, op.rt, old, op.w);
        if (op.exclusive) ch.excl = cell;
        break;
      case 'store':
        write = this.reg(c, op.rt);
        if (op.postIndex !== undefined) ch.regs = this.regsWith(c, op.addr.base, this.alu('add', this.reg(c, op.addr.base), V.int(op.postIndex), false, cpu, pc), false);
        break;
      case 'stxr':
        if (fail || c.excl !== cell) ch.regs = this.regsWith(c, op.rs, V.int(1n), true);
        else {
          write = this.reg(c, op.rt);
          ch.regs = this.regsWith(c, op.rs, V.int(0n), true);
        }
        ch.excl = -1;
        break;
      case 'swp':
        write = this.reg(c, op.rs);
        ch.regs = this.regsWith(c, op.rt, old, op.w);
        break;
      case 'cas':
        if (this.sameValue(old, this.reg(c, op.rs), op.w)) write = this.reg(c, op.rt);
        ch.regs = this.regsWith(c, op.rs, old, op.w);
        break;
      case 'rmw': {
        const fn = { add: 'add', clr: 'bic', set: 'orr', eor: 'eor' }[op.fn as 'add' | 'clr' | 'set' | 'eor'];
        if (fn === undefined) throw new ModelUnsupported(cpu, pc, `LD${op.fn.toUpperCase()}`);
        write = this.alu(fn, old, this.reg(c, op.rs), op.w, cpu, pc);
        ch.regs = this.regsWith(c, op.rt, old, op.w);
        break;
      }
    }
    let mem = st.mem;
    const cpus = st.cpus.slice();
    if (write !== undefined) {
      if (op.w) {
        const n = this.intOf(write);
        if (n !== undefined) write = V.int(wrap32(n));
      }
      mem = setAt(mem, cell, write);
      // Any write clears other CPUs' exclusive monitors on that cell (Arm ARM B2.9).
      for (let i = 0; i < cpus.length; i++) {
        const o = cpus[i] as CpuState;
        if (i !== cpu && o.excl === cell) cpus[i] = cpuWith(o, { excl: -1 });
      }
      const va = (cell - 1) / 2;
      if (cell % 2 === 1 && old !== write && this.translates[cpu]?.[va] === true) {
        // A descriptor store: until a DSB and an ISB, this CPU's own walker may still read the
        // old one (only worth recording when this CPU may translate va).
        const rec: StaleWalk = { va, old, synced: 0 };
        ch.stale = insertSorted(c.stale.filter((r) => r.va !== va), rec);
      }
    }
    cpus[cpu] = this.advance(c, cpu, ch);
    const done: MachineState = stateWith(st, { mem, cpus });
    return write !== undefined && cell % 2 === 1 ? this.descriptorWritten(done, (cell - 1) / 2) : done;
  }

  /** The virtual address in register `r`, as an `address` result. */
  protected vaOf(c: CpuState, r: Reg, proc: number, pc: number): { kind: 'va'; v: number } {
    const x = this.val(this.reg(c, r));
    if (x.k !== 'va' || x.off !== 0n) throw new ModelUnsupported(proc, pc, `AT needs a variable's virtual address (register holds ${describeVal(x)})`);
    return { kind: 'va', v: x.v };
  }

  /**
   * AT S1E{0,1}{R,W} (Arm ARM C5.4 "A64 system instructions for address translation"): a stage-1
   * translation of Xt as a read or write at EL0/EL1 that reports in PAR_EL1 instead of faulting.
   */
  protected at(s: MachineState, cpu: number, op: Op & { op: 'at' }, via: Via): MachineState {
    const c0 = cpuOf(s, cpu);
    const a = this.vaOf(c0, op.rt, cpu, c0.pc);
    const V = this.prog.values;
    const failed = (): MachineState => withCpu(s, cpu, this.advance(c0, cpu, { par: V.intern({ k: 'par', oa: -1, f: 1 }) }));
    let st = s;
    let descId: number;
    if (via.kind === 'early' && this.walkFault(via.desc, cpu) !== undefined) return failed();
    if (via.kind === 'tlb' || via.kind === 'early') descId = via.desc;
    else {
      const read = this.walkRead(s, cpu, a.v, via.stale);
      if (read === undefined || this.walkFault(read, cpu) !== undefined) return failed();
      const f = this.fill(s, cpu, a.v, read);
      st = f.state;
      descId = f.desc;
    }
    const d = this.descOf(descId) as Desc;
    const t = this.threadOf(cpu);
    if ((op.el0 && d.el0 === 0) || (op.write && d.db === 0 && !(t.hd && d.dbm === 1))) return failed();
    const c = cpuOf(st, cpu);
    return withCpu(st, cpu, this.advance(c, cpu, { par: V.intern({ k: 'par', oa: d.oa, f: 0 }) }));
  }

  protected sameValue(a: number, b: number, w: boolean): boolean {
    if (a === b) return true;
    if (!w) return false;
    const x = this.intOf(a);
    const y = this.intOf(b);
    return x !== undefined && y !== undefined && BigInt.asUintN(32, x) === BigInt.asUintN(32, y);
  }
}

// Kinds of step, for Machine.shared.
const STEP_WALK = 1;
const STEP_INV = 2;
const STEP_HU = 3;
const STEP_EVICT = 4;
const WALK: Via = { kind: 'walk', stale: false };
const STALE_WALK: Via = { kind: 'walk', stale: true };

/** CPUs beyond these have no sleep groups (two bits each in a 31-bit mask). */
export const MAX_SLEEP_CPUS = 15;

/** `PendingInv.va` / `Unsynced.va` for a TLBI of every entry. */
export const ALL_PAGES = -1;
/** `PendingInv.va` / `Unsynced.va` for a TLBI by VA of a page no variable is mapped at. */
export const NO_PAGE = -2;

/** CPU `cpu` of `s` (an internal error if there is none). */
export function cpuOf(s: MachineState, cpu: number): CpuState {
  const c = s.cpus[cpu];
  if (c === undefined) throw new Error(`[internal] no CPU ${cpu}`);
  return c;
}

// Whether two versions of a CPU have the records its quiet remaps depend on in common.
function sameRemapInputs(a: CpuState | undefined, b: CpuState | undefined): boolean {
  return a === b || (a !== undefined && b !== undefined && a.tlb === b.tlb && a.stale === b.stale && a.hu === b.hu);
}

/** `s` with CPU `cpu` replaced by `c`. */
export function withCpu(s: MachineState, cpu: number, c: CpuState): MachineState {
  const cpus = s.cpus.slice();
  cpus[cpu] = c;
  return { mem: s.mem, cpus, faults: s.faults, remaps: s.remaps };
}

function setAt(mem: readonly number[], i: number, v: number): readonly number[] {
  if (mem[i] === v) return mem;
  const m = mem.slice();
  m[i] = v;
  return m;
}

// Lists steps leave empty share one array (nothing mutates a state's lists).
const NO_EARLY: readonly EarlyFault[] = [];

/** `stale` without the records a DSB has synced (what context synchronisation drops); itself if none. */
function syncedDropped(stale: readonly StaleWalk[]): readonly StaleWalk[] {
  for (let i = 0; i < stale.length; i++) if ((stale[i] as StaleWalk).synced !== 0) return stale.filter((r) => r.synced === 0);
  return stale;
}

/** `early` with an early walk of faulting descriptor `id` of `va`. */
function coverEarly(early: readonly EarlyFault[], va: number, id: number): readonly EarlyFault[] {
  for (let i = 0; i < early.length; i++) {
    const e = early[i] as EarlyFault;
    if (e.va === va && e.desc === id) return early;
  }
  return insertSorted(early, earlyFault(va, id));
}

// Record constructors fix the field order that compareRecords and encodeState rely on.
function tlbEntry(va: number, desc: number, escProc: number, escPc: number): TlbEntry {
  return { va, desc, escProc, escPc };
}
function earlyFault(va: number, desc: number): EarlyFault {
  return { va, desc };
}
function unsyncedRec(pc: number, va: number, broadcast: boolean): Unsynced {
  return { pc, va, broadcast };
}
function cmpTlb(a: TlbEntry, b: TlbEntry): number {
  return a.va - b.va || a.desc - b.desc || a.escProc - b.escProc || a.escPc - b.escPc;
}

/** A short description of a value for error messages. */
export function describeVal(x: Val): string {
  switch (x.k) {
    case 'int':
      return `the integer ${x.n}`;
    case 'desc':
      return 'a descriptor';
    default:
      return `a ${x.k} value`;
  }
}

