// The relaxed (Armv8) model: the VMSA machine with out-of-order execution over flat,
// multi-copy-atomic memory, after the Flat model (Pulte et al., POPL 2018), simplified.
//
// Each CPU fetches instructions into a window in program order, guessing the direction of
// conditional branches (a wrong guess kills the run when the branch resolves, which is how
// speculation without restart is explored); instructions then execute out of order when their
// register inputs are ready and no barrier, acquire or release forbids it:
//  - a memory access first translates (TLB entry, early walk or a walk now, as in the SC
//    machine), then performs: a load reads memory or forwards from the nearest earlier write to
//    the same cell not yet performed; a store writes memory; a read-modify-write (SWP, CAS,
//    LD<op>) reads, needing only its address, and later writes, holding the cell in between so
//    that no other write reaches it (herd's `atomic`); its result register is ready once it has
//    read. A CAS may guess that its compare succeeds: its result is then Rs as soon as Rs is
//    known, and later loads may forward from its write (herd's successful CAS writes Rs with
//    data from Rs or from the value read, AArch64Sem `DataFromRRs` / `DataFromRx`); a CSEL may
//    guess its condition. A guess is checked when the compare or the flags are known, and a
//    wrong one kills the run; until then no later write performs (herd's pick dependencies
//    order only writes: aarch64hwreqs.cat `pob`, `pick-lob`);
//  - accesses to one cell perform in program order (coherence); a load may pass an earlier access
//    whose cell is unknown and restarts (with everything after it) if that access turns out to
//    conflict; a write performs only once every earlier branch is resolved and every earlier
//    access has translated without fault (no speculative or faulting writes);
//  - DMB SY orders all earlier accesses before later ones, DMB LD earlier loads before later
//    accesses, DMB ST earlier writes before later writes; LDAR/LDAPR (and acquire RMWs) order
//    later accesses after them; STLR (and release RMWs) perform after all earlier accesses;
//    LDAR performs after earlier STLRs (RCsc);
//  - DSB, ISB, TLBI, ERET, MSR/MRS, AT, SVC and UDF run with the SC machine's semantics, and
//    nothing after them executes before they do (except that an access may translate past a
//    DSB). MRS, AT, SVC and UDF wait until every earlier instruction is done; a full DSB too;
//    DSB LD/ST, ISB, TLBI, ERET and MSR ELR_EL1 only for what herd orders them after
//    (mayIssueEarly): DSB LD/ST earlier reads/writes, the others earlier branches, guesses and
//    translations, never earlier accesses performing;
//  - a translation fault is an event of its own (herd's MMU & FAULT), ordered only after earlier
//    DMBs, DSBs and acquire reads (mayFault); once so ordered, a TLBI no longer sends it back.
//    Without a handler it is taken at the head (later instructions are discarded); with one, the
//    exception entry (an IFB, like ISB) may come before earlier accesses perform (takeFault);
//  - a translated access whose address a TLBI invalidates on this CPU must translate again
//    (herd's TLBI-ob: a walk before the TLBI makes its access come before the TLBI's DSB);
//  - register-only instructions, branches, DMBs and translations that cannot depend on when
//    they are made are done as soon as they may be, not as choices (settle).
// Done instructions retire from the head at once, updating the registers.
// Known simplifications (fewer behaviours than the architecture, never more): a guess holds back
// every later write, not only those that depend on it; a read-modify-write neither reads from an
// earlier store of its own CPU before that store performs nor passes an earlier access whose cell
// is unknown; a failing CAS never writes back; DSB LD/ST, ISB, TLBI and exception entry wait for
// earlier accesses to translate.
// Translations (walks and the TLB) follow the SC machine (model/machine.ts), except that a
// store's hardware dirty-state update is owed, as the Access-flag update is (CpuState.hu): a
// step of its own, made once the store is not speculative (updateMayHappen).

import type { Op, Reg } from './decode.js';
import { ACCESS_OPS, isAccess, regUse, ZR } from './decode.js';
import { ALL_PAGES, cpuOf, Machine, MAX_SLEEP_CPUS, withCpu, type AccessEvent, type SideStep, type Transition, type Via } from './machine.js';
import { elementOf, pteCell } from './program.js';
import { cpuWith, instWith, type CpuState, type FaultType, type Inst, type MachineState } from './state.js';

/** A step of the relaxed machine: the SC machine's walks and invalidations, plus fetch and instruction steps. */
export type RTransition =
  | Exclude<Transition, { k: 'exec' }>
  /** fetch the next instruction; `taken` is the guess for a conditional branch */
  | { readonly k: 'fetch'; readonly cpu: number; readonly taken?: boolean }
  /**
   * advance window entry `idx` by one stage (`via`/`fail` as for exec); `guess`: for a CAS, guess
   * that its compare succeeds; for a CSEL, guess its condition (see settle)
   */
  | { readonly k: 'do'; readonly cpu: number; readonly idx: number; readonly via?: Via; readonly fail?: boolean; readonly guess?: boolean };

/** An empty window, shared. */
const NO_WINDOW: readonly Inst[] = [];

/** `Inst.clean` of a store whose dirty-state update has been made (it may not translate again). */
const UPDATED = 2;

/** How many instructions a CPU may have in flight. */
export const WINDOW = 12;

/** Instructions done as soon as they may be (see settle). */
const EAGER = new Set(['mov', 'alu', 'cmp', 'cset', 'adr', 'nop', 'csel', 'b', 'cbz', 'dmb']);

const HEAD_ONLY = new Set(['dsb', 'isb', 'tlbi', 'eret', 'msr', 'mrs', 'at', 'svc', 'udf']);

// A read-modify-write in the window records its progress in `Inst.flags` (unused otherwise by
// accesses, -1 until set): bits of the constants below. Its read and write are separate steps,
// as in herd, where SWP, LD<op> and CAS are a read effect and a write effect related by `rmw`
// (aarch64.cat `atomic`: no write to the cell comes between them in coherence order) and by
// intra-instruction dependencies only where data flows (AArch64Sem: a SWP's write takes its data
// from Rs, a CAS's write from Rt and is controlled by the compare of Rs with the value read).
/** the read has been performed; `out` holds the value read, as the destination register gets it */
const RD = 1;
/** a CAS will write: its compare was guessed to succeed, or found to */
const CAS_OK = 2;
/** a CAS will not write: its compare failed, or another CPU wrote the cell after its read */
const CAS_NO = 4;
/** the CAS's compare has been made (its read done and Rs known) and agreed with the guess */
const CAS_CHECKED = 8;

/** Cells 0..HELD_BITS-1 have a bit of their own in a mask of held cells (RelaxedMachine.heldMask); HELD_FAR stands for any beyond. */
const HELD_BITS = 30;
const HELD_FAR = 1 << 30;

function inst(pc: number, next: number): Inst {
  return { pc, stage: 0, cell: -1, va: -1, fault: '', out: -1, flags: -1, next, clean: 0 };
}

/** The relaxed machine for one loaded program. */
export class RelaxedMachine extends Machine {
  /**
   * No thread has a read-modify-write (SWP, LD<op>, CAS): no window entry ever holds a cell, so
   * `reserved`, the one rule that looks into other CPUs' windows, is always false.
   */
  private readonly noHolds: boolean;

  constructor(...args: ConstructorParameters<typeof Machine>) {
    super(...args);
    this.deferDirty = true;
    this.noHolds = !this.prog.threads.some((t) => t.code.some((x) => isRmw(x.op)));
  }

  /**
   * With read-modify-writes, whether an access may perform depends on the cells the other CPUs'
   * windows hold (reserved): the memo keys a CPU's steps and choices by those (context).
   */
  override get contextual(): boolean {
    return !this.noHolds;
  }

  /**
   * The cells the windows of the CPUs other than `cpu` hold (heldMask), as a bit mask; -1 when
   * one of them holds a cell the mask cannot name.
   */
  override context(s: MachineState, cpu: number): number {
    let mask = 0;
    for (let i = 0; i < s.cpus.length; i++) if (i !== cpu) mask |= this.heldMask(s.cpus[i] as CpuState, i);
    return (mask & HELD_FAR) !== 0 ? -1 : mask;
  }

  /**
   * The cells window entries of CPU `cpu` (state `c`) hold (holds): bit k for cell k < 30, and
   * HELD_FAR if a cell beyond. The one read of another CPU that a step or choice called local
   * makes (through `reserved`); test/model/local-memo.test.ts allows no other.
   */
  private heldMask(c: CpuState, cpu: number): number {
    let mask = 0;
    for (let j = 0; j < c.win.length; j++) {
      const e = c.win[j] as Inst;
      if (e.stage !== 1 || !this.holds(e, this.slot(cpu, e.pc).op)) continue;
      mask |= e.cell >= 0 && e.cell < HELD_BITS ? 1 << e.cell : HELD_FAR;
    }
    return mask;
  }

  /** Two parts (Machine.enabledParts): fetches and window steps, then walks, completions, updates and evictions. */
  override get enabledParts(): number {
    return 2;
  }

  /**
   * Part 0 reads another CPU only for a DSB in the window (dsbWaits: its TLBIs pending on the
   * others); part 1 as the SC machine's side steps (a walk that sets the Access flag, under
   * TTHM=HA), its filters reading the CPU alone (invWaits, updateMayHappen). Both may ask
   * `reserved`, which reads the others' held cells alone (context: -1 makes nothing local).
   */
  override choicesAreLocal(s: MachineState, cpu: number, part: number): boolean {
    if (!this.noHolds && this.context(s, cpu) < 0) return false;
    if (part === 1) return !this.threadOf(cpu).ha;
    const c = this.cpuAt(s, cpu);
    for (let i = 0; i < c.win.length; i++) if (this.slot(cpu, (c.win[i] as Inst).pc).op.op === 'dsb') return false;
    return true;
  }

  /**
   * As Machine.choicesContext: part 0 reads the other CPUs only through a DSB's wait for its
   * TLBIs (dsbWaits, tlbiContext); part 1 under TTHM=HA has none.
   */
  override choicesContext(s: MachineState, cpu: number, part: number): number {
    if (part === 1) return this.threadOf(cpu).ha ? -1 : 0;
    return this.tlbiContext(s, cpu);
  }

  /**
   * As Machine.stepIsLocal: a fetch, a window entry's step (its translation, a load's read, a
   * register computation, ISB, ERET, MSR, MRS, AT, an exception, a local TLBI, retirement),
   * a walk, a completion (untranslate touches this CPU alone), an eviction; with settle (only
   * the CPU that changed; its `reserved` reads the others' held cells alone, which are the
   * step's context), the closure of walks and fetching ahead (only the CPU that changed) after
   * it. Not: a DSB or a broadcast TLBI (other CPUs' invalidations and entries), a hardware update
   * (memory), a store's or a read-modify-write's access (stage 1: other CPUs' monitors and owed
   * updates, descriptorWritten).
   */
  override stepIsLocal(s: MachineState, t: Transition): boolean {
    if (!this.noHolds && this.context(s, t.cpu) < 0) return false;
    const r = t as unknown as RTransition;
    if (r.k === 'fetch') return true;
    // walks, completions, evictions and hardware updates: as in the SC machine
    if (r.k !== 'do') return super.stepIsLocal(s, t);
    const e = this.cpuAt(s, r.cpu).win[r.idx];
    if (e === undefined) return false;
    const op = this.slot(r.cpu, e.pc).op;
    if (op.op === 'dsb') return false;
    if (op.op === 'tlbi') return !op.row.broadcast;
    // A store's write reads the other CPUs even where it leaves memory as it was: their
    // monitors, and whether one owes an update of the descriptor it writes (descriptorWritten).
    return !(e.stage === 1 && ACCESS_OPS.has(op.op) && op.op !== 'load');
  }

  override cpuFinal(c: CpuState): boolean {
    return super.cpuFinal(c) && c.win.length === 0;
  }

  /** Enabled steps, CPU by CPU: fetch, window entries in order, walks, invalidations, evictions. */
  override enabled(s: MachineState): Transition[] {
    return this.renabled(s) as unknown as Transition[];
  }

  /** Two sections (Machine.enabledSection): fetches and window steps, then walks, completions, updates and evictions. */
  override enabledSection(t: Transition): number {
    const k = (t as unknown as RTransition).k;
    return k === 'walk' || k === 'inv' || k === 'hu' || k === 'evict' ? 1 : 0;
  }

  renabled(s: MachineState): RTransition[] {
    const out: RTransition[] = [];
    if (s.cpus.some((c) => c.pc === -2)) return out;
    for (let part = 0; part < 2; part++) for (let cpu = 0; cpu < s.cpus.length; cpu++) this.cpuChoices(s, cpu, out as unknown as Transition[], part);
    return out;
  }

  override cpuChoices(s: MachineState, cpu: number, into: Transition[], part: number): void {
    const out = into as unknown as RTransition[];
    if (part === 0) {
      const c = this.cpuAt(s, cpu);
      this.fetchChoices(c, cpu, out);
      for (let idx = 0; idx < c.win.length; idx++) this.windowChoices(s, cpu, idx, out);
      return;
    }
    // Walks, invalidation completions and evictions exactly as in the SC machine.
    // A hardware Access-flag update is a write too: it waits while a read-modify-write holds the descriptor.
    const side: SideStep[] = [];
    this.sideSteps(s, cpu, side);
    for (const t of side) {
      const hu = t.k === 'hu' ? s.cpus[t.cpu]?.hu[t.idx] : undefined;
      if (hu !== undefined && this.reserved(s, pteCell(hu.va), -1, -1)) continue;
      if (hu !== undefined && !this.updateMayHappen(s.cpus[t.cpu] as CpuState, t.cpu, hu.pc)) continue;
      if (t.k === 'inv' && this.invWaits(s, t.cpu, t.idx)) continue;
      out.push(t);
    }
  }

  /**
   * Sleep groups (Machine.sleepGroup): 2c, the translation or read of a plain load of CPU c;
   * 2c+1, the completions of invalidations pending on c. A load's step reads memory and c's own
   * records and window and writes only them (a TLB fill, an owed Access-flag update, its window
   * entry, registers at retirement); a completion touches only c (untranslate; invWaits reads c
   * alone). What a step leaves to settle and fetchAhead is c's alone too: every other CPU was
   * settled before and reads nothing the step wrote (no memory, no reservation). Excluded where
   * that could discard the run, which disables every step: a window holding an unfinished CSEL
   * or CAS (a wrong guess dies when it resolves), a thread with any branch (a wrong guess, or
   * fetching on past the loop bound) or with a handler, a retry (a fault there discards). Without
   * the branch-or-handler exclusion, or without the guess one, some corpus test's record changes
   * (test/cli/sleep.test.ts fails).
   */
  override sleepGroup(s: MachineState, t: Transition): number {
    const r = t as unknown as RTransition;
    const cpu = r.cpu;
    if (cpu >= MAX_SLEEP_CPUS) return -1;
    if (r.k === 'inv') return 2 * cpu + 1;
    if (r.k !== 'do') return -1;
    const c = this.cpuAt(s, cpu);
    const e = c.win[r.idx];
    if (e === undefined || e.stage > 1 || c.retry !== 0 || this.slot(cpu, e.pc).op.op !== 'load' || this.branchy(cpu)) return -1;
    for (const x of c.win) {
      if (x.stage === 2) continue;
      const o = this.slot(cpu, x.pc).op.op;
      if (o === 'csel' || o === 'cas') return -1;
    }
    return 2 * cpu;
  }

  // per thread: whether its code has a branch or a handler (sleepGroup)
  private readonly branchyThreads: boolean[] = [];

  private branchy(cpu: number): boolean {
    let b = this.branchyThreads[cpu];
    if (b === undefined) {
      const t = this.threadOf(cpu);
      b = t.handlerStart >= 0 || t.code.some((x) => x.op.op === 'b' || x.op.op === 'cbz' || x.op.op === 'eret');
      this.branchyThreads[cpu] = b;
    }
    return b;
  }

  override initial(): MachineState {
    return this.fetchAndSettle(this.settle(super.initial()));
  }

  override step(s: MachineState, t: Transition, events?: AccessEvent[]): MachineState {
    // (no CPU of `s` has discarded its run: enabled offers no step from such a state)
    return this.fetchAndSettle(this.afterStep(s, this.settle(this.lostCells(s, this.step1(s, t, events)), s, s)), s);
  }

  /**
   * Fetches ahead and settles what that makes ready, until neither changes anything. `origin`:
   * the state a step is taken from, fetched ahead and settled, none of whose CPUs has discarded
   * its run; a CPU still the same object needs neither.
   */
  private fetchAndSettle(s: MachineState, origin?: MachineState): MachineState {
    let st = s;
    let fetched = origin;
    for (;;) {
      const f = this.fetchAhead(st, fetched);
      if (f === st) return st;
      fetched = f;
      st = this.settle(f, st, origin);
    }
  }

  /**
   * A CAS that has read a cell, and whose compare is not decided, can no longer write once
   * another write reaches that cell (aarch64.cat `atomic`): it is bound to fail, which settle
   * checks when Rs is known. (A read-modify-write that will write holds its cell instead.)
   */
  private lostCells(prev: MachineState, next: MachineState): MachineState {
    if (next.mem === prev.mem || next.cpus.some((c) => c.pc === -2)) return next;
    let st = next;
    next.cpus.forEach((c, cpu) => {
      const hit = (e: Inst): boolean => {
        const f = flagsOf(e);
        return e.stage === 1 && (f & RD) !== 0 && (f & (CAS_OK | CAS_NO)) === 0 && next.mem[e.cell] !== prev.mem[e.cell] && this.slot(cpu, e.pc).op.op === 'cas';
      };
      if (c.win.some(hit)) st = this.withCpuAt(st, cpu, cpuWith(c, { win: c.win.map((e) => (hit(e) ? instWith(e, { flags: flagsOf(e) | CAS_NO }) : e)) }));
    });
    return st;
  }

  /**
   * Deterministic consequences of a step, to a fixpoint: a CAS whose read is done and whose Rs is
   * known makes its compare (a failed one is then done; one that contradicts its guess discards
   * the run, as a mispredicted branch does); a CAS guessed to succeed gives Rs as its result as
   * soon as Rs is known (herd's successful CAS writes Rs either with data from the value read or
   * from Rs itself: AArch64 `DataFromRx` / `DataFromRRs`); a CSEL whose guessed condition can be
   * checked is done or discards the run. Register-only instructions (MOV, ALU, CMP, CSET, ADR,
   * NOP, a CSEL whose flags are known), branches and DMBs are done as soon as they may be: they
   * have no effect outside their CPU, doing one later only holds back what waits for it, and a
   * branch resolved early only discards a mispredicted run sooner. So they are not choices;
   * nor is a translation whose result cannot depend on when it is made (see fixedTranslation).
   */
  private settle(s: MachineState, prev?: MachineState, origin?: MachineState): MachineState {
    let st = s;
    for (let cpu = 0; cpu < st.cpus.length; cpu++) {
      // A CPU still as in `origin` (see fetchAndSettle) was settled and has not discarded its run:
      // skipped without reading it, so a step of another CPU depends on nothing of this one's
      // (model/local-memo.ts).
      if (origin !== undefined && st.cpus[cpu] === origin.cpus[cpu]) continue;
      // A CPU that is the same object as in `prev`, a state that was settled, has nothing to
      // settle: every rule below reads only the CPU itself (its window, registers and flags, and
      // for a fixed translation its TLB records of a variable whose PTE never changes, which the
      // closure of walks never touches), except `reserved`, which is read only for a CAS whose
      // compare was not checked, a state of the CPU's own that settle never leaves behind.
      // (Scanning every window after every step was 7% of a 4-CPU search on this model;
      // test/model/settle-skip.test.ts compares with settling every CPU.)
      if (prev !== undefined && st.cpus[cpu] === prev.cpus[cpu] && (st.cpus[cpu] as CpuState).pc !== -2) continue;
      for (let changed = true; changed; ) {
        changed = false;
        const c = this.cpuAt(st, cpu);
        if (c.pc === -2) return st;
        for (let idx = 0; idx < c.win.length && !changed; idx++) {
          const e = c.win[idx] as Inst;
          const op = this.slot(cpu, e.pc).op;
          let ne: Inst | 'dead' | undefined;
          if (op.op === 'cas' && e.stage < 2 && e.fault === '') {
            const f = flagsOf(e);
            const rs = this.regAt(c, cpu, idx, op.rs);
            if ((f & RD) !== 0 && (f & CAS_CHECKED) === 0 && rs !== undefined) {
              // A CAS that compares equal must write; it cannot while another read-modify-write
              // holds the cell having read it too (aarch64.cat `atomic`), so that run is not one.
              if (this.sameValue(e.out, rs, op.w)) ne = (f & CAS_NO) !== 0 || e.clean === 1 || this.reserved(st, e.cell, cpu, idx) ? 'dead' : instWith(e, { flags: f | CAS_OK | CAS_CHECKED });
              else ne = (f & CAS_OK) !== 0 ? 'dead' : instWith(e, { stage: 2, flags: f | CAS_NO | CAS_CHECKED });
            } else if ((f & CAS_OK) !== 0 && (f & RD) === 0 && e.out < 0 && rs !== undefined) ne = instWith(e, { out: this.narrowIf(rs, op.w) });
          } else if (op.op === 'csel' && e.stage === 1) {
            const b = this.before(c, cpu, idx);
            if (!b.pendingFlags) ne = this.condHolds(b.flags, op.cond, cpu, e.pc) === (e.flags === 1) ? instWith(e, { stage: 2, flags: -1 }) : 'dead';
          }
          else if (e.stage === 0 && EAGER.has(op.op) && this.eagerReady(c, cpu, idx)) {
            changed = true;
            st = this.retire(this.doStep(st, cpu, idx, undefined, false), cpu);
            if (this.cpuAt(st, cpu).pc === -2) return st;
            continue;
          } else if (e.stage === 0 && ACCESS_OPS.has(op.op)) {
            const t = this.fixedTranslation(st, cpu, idx);
            if (t !== undefined) {
              changed = true;
              st = this.retire(this.doStep(st, cpu, idx, t.via, t.fail === true), cpu);
              if (this.cpuAt(st, cpu).pc === -2) return st;
              continue;
            }
          }
          if (ne === undefined) continue;
          changed = true;
          if (ne === 'dead') return this.withCpuAt(st, cpu, cpuWith(c, { pc: -2 }));
          const n = ne;
          st = this.retire(this.withCpuAt(st, cpu, cpuWith(c, { win: c.win.map((x, i) => (i === idx ? n : x)) })), cpu);
        }
      }
    }
    return st;
  }

  private step1(s: MachineState, t: Transition, events?: AccessEvent[]): MachineState {
    const r = t as unknown as RTransition;
    if (r.k === 'fetch') return this.fetch(s, r.cpu, r.taken);
    if (r.k === 'do') {
      return this.retire(this.doStep(s, r.cpu, r.idx, r.via, r.fail === true, events, r.guess), r.cpu);
    }
    const next = this.transition(s, t, events);
    if (r.k === 'hu') {
      // A store's dirty-state update is made: the store may no longer translate again (a second
      // walk would owe a second update; herd's store has one translation).
      const h = this.cpuAt(s, r.cpu).hu[r.idx];
      const c = this.cpuAt(next, r.cpu);
      const j = h === undefined || h.pc < 0 ? -1 : c.win.findIndex((e) => e.pc === h.pc && e.stage === 1);
      return j < 0 ? next : this.withCpuAt(next, r.cpu, cpuWith(c, { win: c.win.map((e, i) => (i === j ? instWith(e, { clean: UPDATED }) : e)) }));
    }
    if (r.k !== 'inv') return next;
    const inv = this.cpuAt(s, r.cpu).inv[r.idx];
    // The issuing CPU's own later accesses may keep translations walked before the TLBI until
    // an ISB (herd orders only the walk there); other CPUs' must translate again.
    return inv === undefined || inv.issuer === r.cpu ? next : this.untranslate(next, r.cpu, inv.va);
  }

  /**
   * Fetches every CPU's instructions eagerly up to the next conditional branch (whose direction
   * is a choice) or a full window. Fetching has no effect but to make instructions available,
   * so fetching as early as possible loses no behaviour and saves interleavings.
   */
  private fetchAhead(s: MachineState, fetched?: MachineState): MachineState {
    let st = s;
    st.cpus.forEach((_, cpu) => {
      // A CPU that is the same object as in a state fetched ahead has nothing to fetch: the loop
      // below reads the CPU alone.
      if (fetched !== undefined && st.cpus[cpu] === fetched.cpus[cpu]) return;
      for (;;) {
        const c = this.cpuAt(st, cpu);
        if (c.pc < 0 || c.win.length >= WINDOW) break;
        const op = this.slot(cpu, c.pc).op;
        if ((op.op === 'b' && op.cond !== undefined) || op.op === 'cbz') break;
        st = this.fetch(st, cpu, undefined);
      }
    });
    return st;
  }

  // ---- fetch ----------------------------------------------------------------------------

  private fetchChoices(c: CpuState, cpu: number, out: RTransition[]): void {
    if (c.pc < 0 || c.win.length >= WINDOW) return;
    // Only a conditional branch waits to be fetched (fetchAhead does the rest): guess its direction.
    const op = this.slot(cpu, c.pc).op;
    if ((op.op === 'b' && op.cond !== undefined) || op.op === 'cbz') out.push({ k: 'fetch', cpu, taken: false }, { k: 'fetch', cpu, taken: true });
  }

  private fetch(s: MachineState, cpu: number, taken: boolean | undefined): MachineState {
    const c = this.cpuAt(s, cpu);
    const op = this.slot(cpu, c.pc).op;
    let next: number;
    let loops = c.loops;
    const jump = (target: string): number => {
      const j = this.jump(c, cpu, target);
      loops = j.loops;
      return j.pc;
    };
    if (HEAD_ONLY.has(op.op) && op.op !== 'dsb' && op.op !== 'isb' && op.op !== 'tlbi' && op.op !== 'mrs' && op.op !== 'at') {
      next = -3; // ERET, MSR, SVC, UDF decide where execution goes: fetch waits for them
    } else if (op.op === 'b' && (op.cond === undefined || taken === true)) next = jump(op.target);
    else if (op.op === 'cbz' && taken === true) next = jump(op.target);
    else next = this.advance(c, cpu).pc;
    return this.withCpuAt(s, cpu, cpuWith(c, { pc: next, loops, win: [...c.win, inst(c.pc, next)] }));
  }

  // ---- window steps ---------------------------------------------------------------------

  /**
   * Register file and flags as instruction `idx` sees them, or undefined if an input it needs is
   * not ready. `addrOnly`: only the address registers of an access (enough to translate it).
   */
  private view(c: CpuState, cpu: number, idx: number, addrOnly = false): { regs: readonly number[]; flags: number } | undefined {
    const b = this.before(c, cpu, idx);
    const op = this.slot(cpu, (c.win[idx] as Inst).pc).op;
    const me = regUse(op);
    const p = b.pendingRegs;
    if (addrOnly && isAccess(op)) {
      if (isPending(p, op.addr.base) || (op.addr.offset?.kind === 'reg' && isPending(p, op.addr.offset.reg))) return undefined;
    } else if (op.op === 'csel' && !b.pendingFlags) {
      // CSEL depends only on the register it selects once the condition is known (herd).
      if (isPending(p, this.condHolds(b.flags, op.cond, cpu, (c.win[idx] as Inst).pc) ? op.rn : op.rm)) return undefined;
    } else if (p !== 0) {
      for (const r of me.reads) if (isPending(p, r)) return undefined;
    }
    if (me.readsFlags && b.pendingFlags) return undefined;
    return b;
  }

  /**
   * The registers and flags instruction `idx` sees: values of earlier instructions that have
   * produced them (`out` >= 0: done, or a read-modify-write or CSEL that published its result
   * early, see settle), and which are still pending (`pendingRegs`: bit r for register r).
   * The register list is the CPU's own unless an earlier instruction changes it.
   */
  private before(c: CpuState, cpu: number, idx: number): { regs: readonly number[]; flags: number; pendingRegs: number; pendingFlags: boolean } {
    let regs: readonly number[] = c.regs;
    let copied: number[] | undefined;
    let flags = c.flags;
    let pendingRegs = 0;
    let pendingFlags = false;
    for (let j = 0; j < idx; j++) {
      const e = c.win[j] as Inst;
      const u = regUse(this.slot(cpu, e.pc).op);
      for (const r of u.writes) {
        if (e.out >= 0) {
          if (regs[r] !== e.out) {
            if (copied === undefined) regs = copied = regs.slice();
            copied[r] = e.out;
          }
          pendingRegs &= ~(1 << r);
        } else pendingRegs |= 1 << r;
      }
      if (u.writesFlags) {
        if (e.stage === 2) {
          flags = e.flags;
          pendingFlags = false;
        } else pendingFlags = true;
      }
    }
    return { regs, flags, pendingRegs, pendingFlags };
  }

  /** Register `r` as instruction `idx` sees it, or undefined while an earlier write to it is pending. */
  private regAt(c: CpuState, cpu: number, idx: number, r: Reg): number | undefined {
    const b = this.before(c, cpu, idx);
    return isPending(b.pendingRegs, r) ? undefined : regIn(b.regs, r);
  }

  private windowChoices(s: MachineState, cpu: number, idx: number, out: RTransition[]): void {
    const c = s.cpus[cpu] as CpuState;
    const e = c.win[idx] as Inst;
    if (e.stage === 2) return;
    const op = this.slot(cpu, e.pc).op;
    // Nothing passes an unfinished head-only instruction (ISB, TLBI, ERET, ...), except that an
    // access may translate past a DSB or a TLBI of its own thread: DSB orders accesses, not the
    // walks of later instructions (herd's DSB-ob), a TLBI orders only walks that come after it
    // (TLBI-after), and the issuer keeps what it walked before its TLBI until an ISB; only an
    // ISB (or exception entry/return) makes later instructions translate after it.
    // (loops over the earlier entries: this runs for every window entry of every state)
    let blocked = false;
    let walkable = true;
    for (let j = 0; j < idx; j++) {
      const x = c.win[j] as Inst;
      if (!this.headOnlyPending(cpu, x)) continue;
      blocked = true;
      const xo = this.slot(cpu, x.pc).op.op;
      if (xo !== 'dsb' && xo !== 'tlbi') walkable = false;
    }
    if (blocked && !(walkable && ACCESS_OPS.has(op.op) && e.stage === 0)) return;
    if (HEAD_ONLY.has(op.op)) {
      if (idx !== 0 && (!this.mayIssueEarly(c, cpu, idx, op) || this.view(c, cpu, idx) === undefined)) return;
      if (op.op === 'dsb' && this.dsbWaits(s, cpu, op)) return; // waiting for TLBI completion
      if (op.op === 'at') {
        for (const t of this.scExecChoices(s, cpu, e.pc)) out.push({ k: 'do', cpu, idx, ...(t.via === undefined ? {} : { via: t.via }) });
        return;
      }
      out.push({ k: 'do', cpu, idx });
      return;
    }
    if (op.op === 'csel' && e.stage === 0) this.cselGuesses(c, cpu, idx, out);
    if (op.op === 'cas' && e.stage === 1 && e.fault === '' && (flagsOf(e) & (CAS_OK | CAS_NO)) === 0 && e.clean !== 1) {
      // Guess that the compare succeeds, so that the CAS's result (Rs, which then equals the value
      // it reads) and its write can be used before its read or Rs are known (see settle). Not
      // once it has read a cell another read-modify-write holds: it could never write.
      if ((flagsOf(e) & RD) === 0 || !this.reserved(s, e.cell, cpu, idx)) out.push({ k: 'do', cpu, idx, guess: true });
    }
    if (e.fault !== '') {
      // Taken at the head by retire; with a handler, possibly before (see takeFault).
      if (idx > 0 && this.threadOf(cpu).handlerStart >= 0 && this.mayIssueEarly(c, cpu, idx, { op: 'eret' }, true)) out.push({ k: 'do', cpu, idx });
      return;
    }
    const view = this.view(c, cpu, idx, ACCESS_OPS.has(op.op) && e.stage === 0);
    if (view === undefined && !(isRmw(op) && e.stage === 1 && (flagsOf(e) & RD) === 0)) return;
    // DMBs and register-only instructions are done by settle as soon as they may be.
    if (!ACCESS_OPS.has(op.op)) return;
    if (e.stage === 0) {
      if (view === undefined) return;
      // Translate: walks are not ordered by DMB or acquire (herd: only addresses, ISB and DSB order them).
      const vc: CpuState = cpuWith(c, { pc: e.pc, regs: view.regs });
      // One step per translation choice; for a CAS under TTHM=HD also whether a failing compare
      // keeps the descriptor clean (the SC choices' `fail`); a STXR's outcome is chosen later.
      // (The SC machine's via objects are shared, so a choice seen before is the same object.)
      const sc = this.scExecChoices(s, cpu, e.pc, view.regs);
      const a = this.address(vc, (op as Op & { addr: never }).addr, cpu, e.pc);
      const seenVia: (Via | undefined)[] = [];
      const seenFail: boolean[] = [];
      for (let k = 0; k < sc.length; k++) {
        const t = sc[k] as Transition & { k: 'exec' };
        const fail = op.op === 'cas' && t.fail === true;
        let dup = false;
        for (let m = 0; m < seenVia.length; m++) if (seenVia[m] === t.via && seenFail[m] === fail) dup = true;
        if (dup) continue;
        seenVia.push(t.via);
        seenFail.push(fail);
        const tr = this.translate(s, cpu, e.pc, a, t.via ?? { kind: 'walk', stale: false }, op.op !== 'load', () => fail);
        // A thread with a handler may find its fault before the fault is ordered (see takeFault).
        if (!tr.ok && this.threadOf(cpu).handlerStart < 0 && !this.mayFault(c, cpu, idx)) continue;
        // Hardware Access-flag and dirty-state updates are owed steps of their own ('hu').
        if (tr.ok && tr.state.mem !== s.mem) throw new Error('[internal] a relaxed translation wrote memory');
        out.push(t.via === undefined ? { k: 'do', cpu, idx } : fail ? { k: 'do', cpu, idx, via: t.via, fail } : { k: 'do', cpu, idx, via: t.via });
      }
      return;
    }
    if (isRmw(op)) {
      const f = flagsOf(e);
      if ((f & RD) === 0) {
        // The read needs only the address (herd: the read effect depends on Rn alone).
        if (!this.reserved(s, e.cell, cpu, idx) && this.mayPerform(c, cpu, idx, op, 'read')) out.push({ k: 'do', cpu, idx });
        return;
      }
      const writes = op.op !== 'cas' || (f & CAS_CHECKED) !== 0; // a checked CAS that failed is done
      if (writes && view !== undefined && this.mayPerform(c, cpu, idx, op, 'write')) out.push({ k: 'do', cpu, idx });
      return;
    }
    const writes = op.op !== 'load';
    if (writes && this.reserved(s, e.cell, cpu, idx)) return;
    if (this.mayPerform(c, cpu, idx, op, writes ? 'write' : 'read')) {
      if (op.op === 'stxr') {
        out.push({ k: 'do', cpu, idx, fail: true });
        if (c.excl === e.cell) out.push({ k: 'do', cpu, idx, fail: false });
      } else out.push({ k: 'do', cpu, idx });
    }
  }

  /**
   * Whether DSB, ISB, TLBI, ERET or MSR at window entry `idx` (none of those unfinished before it) may
   * execute before the instructions ahead of it are done. herd orders these only by:
   *  - DSB LD / DSB ST: earlier reads / writes (DSB-ob); a full DSB waits for everything;
   *  - ISB: earlier branches and guesses (ctrl, pick-ctrl), earlier DSBs, and the addresses and
   *    translations of earlier accesses (IFB-ob: addr;[M];po;[ISB], tr-ib;[M];po;[ISB]);
   *  - TLBI: earlier branches and guesses (ctrl;[TLBI], pick-ctrl), DSBs and ISBs, its operand;
   *    not DMBs, nor earlier plain accesses (TLBI without a DSB may overtake a store);
   *  - ERET (an IFB) as ISB; MSR ELR_EL1 writes a system register, ordered by nothing else.
   * All of them also wait here until every earlier access has translated without fault, so that
   * an instruction that a fault would discard never takes effect.
   */
  private mayIssueEarly(c: CpuState, cpu: number, idx: number, op: Op, inclusive = false): boolean {
    if (op.op !== 'dsb' && op.op !== 'isb' && op.op !== 'tlbi' && op.op !== 'eret' && op.op !== 'msr') return false;
    if (op.op === 'dsb' && op.row.type === 'all') return false;
    // A context synchronisation waits for guesses that addresses of earlier accesses (or of the
    // faulting access itself) depend on: herd IFB-ob, [R]; pick-addr-dep; [M]; po; [IFB].
    if ((op.op === 'isb' || op.op === 'eret') && this.addressGuessed(c, cpu, inclusive ? idx : idx - 1)) return false;
    for (let j = 0; j < idx; j++) {
      const x = c.win[j] as Inst;
      if (x.stage === 2) continue;
      const xo = this.slot(cpu, x.pc).op;
      if (xo.op === 'b' || xo.op === 'cbz') return false;
      // A guessed CSEL or CAS result may be the TLBI's operand (herd pob: pick-addr-dep; [TLBI]).
      if (op.op === 'tlbi' && (xo.op === 'csel' || openGuess(x, xo))) return false;
      if (!ACCESS_OPS.has(xo.op)) continue;
      if (x.stage === 0 || x.fault !== '') return false;
      if (op.op !== 'dsb') continue;
      const readPending = (xo.op === 'load' || (isRmw(xo) && (flagsOf(x) & RD) === 0)) && !noRet(xo);
      if (op.row.type === 'ld' ? readPending : xo.op !== 'load') return false;
    }
    return true;
  }

  /**
   * Whether the address of a memory access, or the direction of a branch, among window entries
   * 0..`upto` derives, through registers or flags, from a CSEL or CAS guess not yet checked.
   */
  private addressGuessed(c: CpuState, cpu: number, upto: number): boolean {
    const tainted = new Set<Reg>();
    let flags = false;
    for (let j = 0; j <= upto; j++) {
      const x = c.win[j] as Inst;
      const xo = this.slot(cpu, x.pc).op;
      if (isAccess(xo) && (tainted.has(xo.addr.base) || (xo.addr.offset?.kind === 'reg' && tainted.has(xo.addr.offset.reg)))) return true;
      const u = regUse(xo);
      const t: boolean = openGuess(x, xo) || u.reads.some((r) => tainted.has(r)) || (u.readsFlags && flags);
      // a branch decided on a guess (herd pick-ctrl-dep; [IFB])
      if (t && (xo.op === 'cbz' || xo.op === 'b')) return true;
      for (const w of u.writes) {
        if (t) tainted.add(w);
        else tainted.delete(w);
      }
      if (u.writesFlags) flags = t;
    }
    return false;
  }

  /**
   * Whether access `idx` may take its translation fault now. The fault is an event of its own
   * (herd's MMU & FAULT), performed when the translation finds it, and ordered only by what
   * orders faults in aarch64hwreqs.cat without ETS2/ETS3: earlier DMBs of any type (bob), earlier
   * acquire reads (bob) and earlier DSBs (DSB-ob; a DSB is done once what it orders is). Earlier plain
   * accesses, release writes, dependencies and unresolved branches do not order it (a wrong
   * branch guess discards the run anyway).
   */
  private mayFault(c: CpuState, cpu: number, idx: number): boolean {
    for (let j = 0; j < idx; j++) {
      const x = c.win[j] as Inst;
      if (x.stage === 2) continue;
      const xo = this.slot(cpu, x.pc).op;
      if (xo.op === 'dmb' || HEAD_ONLY.has(xo.op)) return false;
      if (isAccess(xo) && xo.ord.acquire !== 'none' && !noRet(xo) && !(isRmw(xo) && (flagsOf(x) & RD) !== 0)) return false;
      if (acqRelRmw(xo)) return false; // its write too (bob: range([R & A]; amo; [W & L]))
    }
    return true;
  }

  /**
   * Whether a dirty-state update owed by the store at `pc` may be made now: not while the store
   * is speculative (herd: ctrl; [HU], addr; [M]; po; [HU], [TTD R]; tr-ib; [M]; po; [HU] and the
   * pick forms), that is while an earlier branch or guess is unresolved or an earlier access has
   * not translated; otherwise at any time, before or after the store's own write.
   */
  private updateMayHappen(c: CpuState, cpu: number, pc: number): boolean {
    if (pc < 0) return true;
    const idx = c.win.findIndex((e) => e.pc === pc);
    return idx < 0 || this.mayIssueEarly(c, cpu, idx, { op: 'isb' }, true);
  }

  /**
   * Drops the dirty-state updates owed by window entries that are discarded or sent back to
   * translate (`gone`): the store either never happens or translates again, owing anew.
   */
  private dropOwed(c: CpuState, gone: readonly Inst[]): CpuState {
    if (c.hu.length === 0 || gone.length === 0) return c;
    const hu = c.hu.filter((h) => h.pc < 0 || !gone.some((e) => e.pc === h.pc && e.stage < 2));
    return hu.length === c.hu.length ? c : cpuWith(c, { hu });
  }

  /**
   * The translation step of access `idx` when it can be done at once: its address is known, it
   * reaches a page-table entry directly or a variable whose descriptor never changes (no store
   * can reach PTE(v) and no hardware updates it: Program.mutablePte), and it is the one choice
   * the entry offers. Such a translation gives the same result whenever it is made, and making
   * it early only lets later accesses know sooner that they do not conflict with it.
   */
  private fixedTranslation(s: MachineState, cpu: number, idx: number): (RTransition & { k: 'do' }) | undefined {
    const c = this.cpuAt(s, cpu);
    const e = c.win[idx] as Inst;
    const op = this.slot(cpu, e.pc).op;
    if (!isAccess(op)) return undefined;
    const view = this.view(c, cpu, idx, true);
    if (view === undefined) return undefined;
    const a = this.address(cpuWith(c, { pc: e.pc, regs: view.regs }), op.addr, cpu, e.pc);
    if (a.kind === 'va' && this.prog.mutablePte[a.v] !== false) return undefined;
    const out: RTransition[] = [];
    this.windowChoices(s, cpu, idx, out);
    const t = out[0];
    if (out.length !== 1 || t === undefined || t.k !== 'do' || t.guess !== undefined) return undefined;
    return t;
  }

  /** Whether window entry `x` is a DSB, ISB, TLBI, ERET, MSR... not yet done (later instructions wait for it). */
  private headOnlyPending(cpu: number, x: Inst): boolean {
    return x.stage !== 2 && HEAD_ONLY.has(this.slot(cpu, x.pc).op.op);
  }

  /** Whether EAGER instruction `idx` may be done now (as windowChoices would offer it). */
  private eagerReady(c: CpuState, cpu: number, idx: number): boolean {
    if (c.win.slice(0, idx).some((x) => this.headOnlyPending(cpu, x))) return false;
    if (this.view(c, cpu, idx) === undefined) return false;
    const op = this.slot(cpu, (c.win[idx] as Inst).pc).op;
    return op.op !== 'dmb' || this.dmbReady(c, cpu, idx, op);
  }

  private dmbReady(c: CpuState, cpu: number, idx: number, op: Op & { op: 'dmb' }): boolean {
    // A read-modify-write's read is what DMB LD waits for (herd bob: [R \ NoRet]; po; [dmb.ld]).
    const need = op.row.type === 'ld' ? (x: Inst, xo: Op) => (xo.op === 'load' || (isRmwLike(xo) && !noRet(xo))) && !(isRmw(xo) && (flagsOf(x) & RD) !== 0) : op.row.type === 'st' ? (_: Inst, xo: Op) => xo.op !== 'load' && ACCESS_OPS.has(xo.op) : (_: Inst, xo: Op) => ACCESS_OPS.has(xo.op);
    return c.win.slice(0, idx).every((x) => x.stage === 2 || !need(x, this.slot(cpu, x.pc).op));
  }

  /**
   * A CSEL whose condition is not known yet may guess it and produce the register it then
   * selects: herd's CSEL takes its data from that register and only a control ("pick")
   * dependency from the flags, which orders later writes, not reads (aarch64deps.cat pick-*-dep,
   * aarch64hwreqs.cat pob). settle checks the guess once the flags are known.
   */
  private cselGuesses(c: CpuState, cpu: number, idx: number, out: RTransition[]): void {
    const op = this.slot(cpu, (c.win[idx] as Inst).pc).op;
    if (op.op !== 'csel') return;
    const b = this.before(c, cpu, idx);
    if (!b.pendingFlags) return;
    if (!isPending(b.pendingRegs, op.rn)) out.push({ k: 'do', cpu, idx, guess: true });
    if (!isPending(b.pendingRegs, op.rm)) out.push({ k: 'do', cpu, idx, guess: false });
  }

  /**
   * True when a window entry other than entry `idx` of CPU `cpu` (-1: none excepted) holds `cell`
   * between the read and the write of a read-modify-write that will write: no write may reach
   * the cell then, not even a hardware update for a later access of the same CPU (aarch64.cat
   * `atomic`: rmw & (fr; co) is empty), and no other read-modify-write may read it (it could
   * never write after).
   */
  private reserved(s: MachineState, cell: number, cpu: number, idx: number): boolean {
    if (this.noHolds) return false;
    for (let i = 0; i < s.cpus.length; i++) {
      const c = s.cpus[i] as CpuState;
      if (i === cpu) {
        // (this CPU's own entries but `idx`)
        if (c.win.some((e, j) => j !== idx && e.stage === 1 && e.cell === cell && this.holds(e, this.slot(i, e.pc).op))) return true;
        continue;
      }
      // Another CPU's window is read through heldMask alone, so that what a CPU's step or choices
      // read of the others is `context`; a cell the mask cannot name, only where it is -1.
      const held = this.heldMask(c, i);
      if (cell >= 0 && cell < HELD_BITS ? (held & (1 << cell)) !== 0 : (held & HELD_FAR) !== 0 && c.win.some((e) => e.stage === 1 && e.cell === cell && this.holds(e, this.slot(i, e.pc).op))) return true;
    }
    return false;
  }

  /** Whether window entry `e` (of `op`) holds its cell: a read-modify-write that has read and will write. */
  private holds(e: Inst, op: Op): boolean {
    const f = flagsOf(e);
    return isRmw(op) && (f & RD) !== 0 && (op.op !== 'cas' || (f & CAS_OK) !== 0);
  }

  /** The SC machine's exec choices for the instruction at `pc` (translation vias, STXR outcomes), with registers `regs` if given. */
  private scExecChoices(s: MachineState, cpu: number, pc: number, regs?: readonly number[]): (Transition & { k: 'exec' })[] {
    // (The SC machine's choices for one CPU read that CPU, memory and the TLBIs pending on others;
    // they are all exec steps.)
    const out: Transition[] = [];
    const c = this.cpuAt(s, cpu);
    this.execChoices(s, cpu, out, cpuWith(c, { pc, win: NO_WINDOW, regs: regs ?? c.regs }));
    return out as (Transition & { k: 'exec' })[];
  }

  /**
   * Ordering conditions for performing memory access `idx` (its translation is done): its read
   * (a load, or the read of a read-modify-write) or its write (a store, or the write of a
   * read-modify-write, whose read is done).
   */
  private mayPerform(c: CpuState, cpu: number, idx: number, op: Op, part: 'read' | 'write'): boolean {
    const e = c.win[idx] as Inst;
    const writes = part === 'write';
    // A release RMW's write is a release write; its read is a plain one (herd: rmw_amo_read
    // of RMW_L is X, its write XL). An acquire RMW's read is an acquire read.
    const release = writes && isAccess(op) && op.ord.release;
    const rcsc = !writes && isAccess(op) && op.ord.acquire === 'acq';
    for (let j = 0; j < idx; j++) {
      const x = c.win[j] as Inst;
      const xo = this.slot(cpu, x.pc).op;
      const done = x.stage === 2;
      if (done) continue;
      if (xo.op === 'dmb') {
        if (xo.row.type === 'all' || xo.row.type === 'ld' || (xo.row.type === 'st' && writes)) return false;
        continue;
      }
      if ((xo.op === 'cbz' || xo.op === 'b') && writes) return false; // no speculative writes
      // Nor writes after a guess not yet checked: what depends on a guessed CSEL condition or
      // CAS outcome has a pick dependency on it (herd pob, pick-lob: ordered before writes).
      if (writes && openGuess(x, xo)) return false;
      if (!ACCESS_OPS.has(xo.op)) continue;
      // A write waits until every earlier access knows its cell and cannot fault. A load may
      // pass an earlier access whose cell is unknown: if that access turns out to hit the
      // load's cell, the load and everything after it restart (see restartAfter). The read of a
      // read-modify-write does not (it holds its cell until it writes).
      if ((x.stage === 0 || x.fault !== '') && (writes || isRmw(op))) return false;
      const xRead = isRmw(xo) && (flagsOf(x) & RD) !== 0; // x's read is done (only its write is not)
      // acquire orders later accesses after the read (herd bob: [R & A]; po; [M])
      if (isAccess(xo) && xo.ord.acquire !== 'none' && !noRet(xo) && !xRead) return false;
      // an acquire-release read-modify-write orders later accesses after its write as well
      // (herd bob: [range([R & A]; amo; [W & L])]; po; [M])
      if (acqRelRmw(xo)) return false;
      if (release) return false; // release: every earlier access first
      if (rcsc && isAccess(xo) && xo.ord.release) return false; // [W & L]; po; [R & A] (RCsc)
      if (x.stage === 0 || x.fault !== '') continue;
      if (x.cell === e.cell) {
        // Coherence: same-cell accesses perform in program order, except that a load may read
        // from the nearest earlier write not yet performed (forwarding; see forwardFrom).
        if (op.op === 'load' && (xo.op === 'store' || isRmw(xo))) continue;
        return false;
      }
    }
    if (op.op === 'load' && this.forwardFrom(c, cpu, idx) === null) return false;
    return true;
  }

  /**
   * For a load at `idx`: the value the nearest earlier same-cell write not yet performed
   * forwards to it, undefined if none (the load reads memory), or null when the load must wait.
   */
  private forwardFrom(c: CpuState, cpu: number, idx: number): { value: number } | undefined | null {
    const e = c.win[idx] as Inst;
    const me = this.slot(cpu, e.pc).op;
    const acquire = me.op === 'load' && me.ord.acquire !== 'none';
    for (let j = idx - 1; j >= 0; j--) {
      const x = c.win[j] as Inst;
      if (x.cell !== e.cell || x.stage === 2) continue;
      const xo = this.slot(cpu, x.pc).op;
      const f = flagsOf(x);
      const data = (r: Reg): { value: number } | null => {
        const v = this.regAt(c, cpu, j, r);
        return v === undefined ? null : { value: this.narrowIf(v, (xo as { readonly w?: boolean }).w === true) };
      };
      if (xo.op === 'store') return data(xo.rt);
      if (!isRmw(xo)) return null;
      // An acquire load reading a read-modify-write's write is ordered after its read (herd
      // aob: [M]; rmw; lmrs; [R & (A | Q)]).
      if (acquire && (f & RD) === 0) return null;
      if (xo.op === 'swp') return data(xo.rs);
      if (xo.op === 'rmw') {
        if ((f & RD) === 0) return null;
        const rs = this.regAt(c, cpu, j, xo.rs);
        if (rs === undefined) return null;
        const fn = { add: 'add', clr: 'bic', set: 'orr', eor: 'eor' }[xo.fn as 'add' | 'clr' | 'set' | 'eor'];
        if (fn === undefined) return null;
        return { value: this.narrowIf(this.alu(fn, x.out, rs, xo.w, cpu, x.pc), xo.w) };
      }
      // A CAS forwards only once it will write (a guess makes later writes wait; see mayPerform);
      // one that will not has read the cell already, and the load reads memory after it.
      if (xo.op === 'cas') {
        if ((f & CAS_OK) !== 0) return data(xo.rt);
        if ((f & CAS_NO) !== 0 && (f & RD) !== 0) return undefined;
      }
      return null;
    }
    return undefined;
  }

  private narrowIf(id: number, w: boolean): number {
    return w ? this.narrow(id) : id;
  }

  // ---- performing a step ----------------------------------------------------------------

  private doStep(s: MachineState, cpu: number, idx: number, via: Via | undefined, fail: boolean, events?: AccessEvent[], guess?: boolean): MachineState {
    const c = this.cpuAt(s, cpu);
    const e = c.win[idx] as Inst;
    const op = this.slot(cpu, e.pc).op;
    if (HEAD_ONLY.has(op.op)) return idx === 0 ? this.atHead(s, cpu, via, events) : this.early(s, cpu, idx, events);
    if (e.stage === 1 && e.fault !== '') return this.takeFault(s, cpu, idx);
    const set = (ne: Inst, st: MachineState = s): MachineState => {
      const cc = this.cpuAt(st, cpu);
      return this.withCpuAt(st, cpu, cpuWith(cc, { win: cc.win.map((x, i) => (i === idx ? ne : x)) }));
    };
    if (op.op === 'cas' && guess === true) return set(instWith(e, { flags: flagsOf(e) | CAS_OK }));
    if (op.op === 'csel' && guess !== undefined) {
      const b = this.before(c, cpu, idx);
      const v = regIn(b.regs, guess ? op.rn : op.rm);
      return set(instWith(e, { stage: 1, flags: guess ? 1 : 0, out: this.narrowIf(v, op.w) }));
    }
    if (isRmw(op) && e.stage === 1 && (flagsOf(e) & RD) === 0) {
      // The read of a read-modify-write; the cell is held until its write (see reserved).
      const read = this.narrowIf(s.mem[e.cell] ?? 0, op.w);
      // A CAS guessed to succeed may have given Rs as its result already: the value read must equal it.
      if (e.out >= 0 && !this.sameValue(read, e.out, op.w)) return this.withCpuAt(s, cpu, cpuWith(c, { pc: -2 }));
      return set(instWith(e, { flags: flagsOf(e) | RD, out: e.out >= 0 ? e.out : read }));
    }
    const view = this.view(c, cpu, idx, ACCESS_OPS.has(op.op) && e.stage === 0);
    if (view === undefined) throw new Error('[internal] relaxed step with inputs not ready');
    if (op.op === 'dmb' || op.op === 'nop') return set(instWith(e, { stage: 2 }));
    if (!ACCESS_OPS.has(op.op)) return this.compute(s, cpu, idx, view, set);
    const vc: CpuState = cpuWith(c, { pc: e.pc, regs: view.regs });
    if (e.stage === 0) {
      const a = this.address(vc, (op as Op & { addr: never }).addr, cpu, e.pc);
      const writes = op.op !== 'load';
      const tr = this.translate(s, cpu, e.pc, a, via ?? { kind: 'walk', stale: false }, writes, () => fail, events);
      const va = a.kind === 'va' ? a.v : -1;
      if (!tr.ok) return set(instWith(e, { stage: 1, va: tr.va, fault: tr.type }));
      // Writes perform only after every earlier access has translated, so a later write can
      // already be done on this cell only if a TLBI sent this access back to translate again
      // (untranslate). Same-cell accesses are coherence-ordered in program order (aarch64.cat
      // internal), so this run is not an execution (herd G1 forbids the state it would reach).
      if (c.win.some((x, j) => j > idx && x.stage === 2 && x.cell === tr.cell && this.slot(cpu, x.pc).op.op !== 'load')) return this.withCpuAt(s, cpu, cpuWith(c, { pc: -2 }));
      return this.restartAfter(set(instWith(e, { stage: 1, cell: tr.cell, va, clean: fail ? 1 : 0 }), tr.state), cpu, idx, (x) =>
        // A later load that read the same cell ahead of this write, or the same address (page and
        // offset in it) through another translation (herd's TLBI-ob orders walks of one address
        // on one thread: same-low-order-bits).
        (x.cell === tr.cell && op.op !== 'load') || (va >= 0 && x.va === va && x.cell !== tr.cell && elementOf(this.prog, x.cell) === elementOf(this.prog, tr.cell)),
      );
    }
    return this.perform(s, cpu, idx, op, view, fail, set);
  }

  /**
   * Restart, as in Flat, the first later load that performed and that `stale(it)` says read too
   * early, and every instruction after it (their results are unobservable: no later write has
   * performed, since writes wait for every earlier access to know its cell).
   */
  private restartAfter(s: MachineState, cpu: number, idx: number, stale: (x: Inst) => boolean): MachineState {
    const c = this.cpuAt(s, cpu);
    let from = -1;
    for (let j = idx + 1; j < c.win.length; j++) {
      const x = c.win[j] as Inst;
      if (x.stage === 2 && this.slot(cpu, x.pc).op.op === 'load' && stale(x)) {
        from = j;
        break;
      }
    }
    if (from < 0) return s;
    // A DSB, ISB, TLBI, ERET, MSR or exception entry that happened early cannot be undone: this
    // run is not one. The run in
    // which the load waited instead reaches what this one would.
    if (c.win.some((x, j) => j > from && this.irrevocable(cpu, x))) return this.withCpuAt(s, cpu, cpuWith(c, { pc: -2 }));
    const win = c.win.map((x, j) => (j < from ? x : inst(x.pc, x.next)));
    return this.withCpuAt(s, cpu, cpuWith(this.dropOwed(c, c.win.slice(from)), { win }));
  }

  /** A non-memory instruction: run it on the SC machine against this instruction's register view. */
  private compute(s: MachineState, cpu: number, idx: number, view: { regs: readonly number[]; flags: number }, set: (e: Inst, st?: MachineState) => MachineState): MachineState {
    const c = this.cpuAt(s, cpu);
    const e = c.win[idx] as Inst;
    const op = this.slot(cpu, e.pc).op;
    // (loops: fetch counted this branch's backward jumps already)
    const vc: CpuState = cpuWith(c, { pc: e.pc, regs: view.regs, flags: view.flags, win: [], loops: [] });
    const r = super.step(this.withCpuAt(s, cpu, vc), { k: 'exec', cpu });
    const rc = this.cpuAt(r, cpu);
    const u = regUse(op);
    const w = u.writes[0];
    const ne: Inst = instWith(e, { stage: 2, out: w === undefined ? -1 : (rc.regs[w] ?? 0), flags: u.writesFlags ? rc.flags : -1 });
    if ((op.op === 'b' || op.op === 'cbz') && rc.pc !== e.next) return this.withCpuAt(s, cpu, cpuWith(c, { pc: -2 })); // mispredicted: this run is not one
    return set(ne);
  }

  /** Performs a translated access: read, write, or both atomically. */
  private perform(s: MachineState, cpu: number, idx: number, op: Op, view: { regs: readonly number[]; flags: number }, fail: boolean, set: (e: Inst, st?: MachineState) => MachineState): MachineState {
    const c = this.cpuAt(s, cpu);
    const e = c.win[idx] as Inst;
    if (op.op === 'load') {
      const fwd = this.forwardFrom(c, cpu, idx);
      if (fwd === null) throw new Error('[internal] relaxed load performed with its forwarding source not ready');
      const value = fwd === undefined ? (s.mem[e.cell] ?? 0) : fwd.value;
      const w = op.w ? this.narrow(value) : value;
      const st = op.exclusive ? this.withCpuAt(s, cpu, cpuWith(c, { excl: e.cell })) : s;
      // A later load of this cell that performed first must have read the same value (coherence);
      // equal values are indistinguishable, so only a different one restarts it.
      return this.restartAfter(set(instWith(e, { stage: 2, out: w }), st), cpu, idx, (x) => x.cell === e.cell && x.out !== w);
    }
    // invariant: a read-modify-write holds its cell from its read to its write (see reserved).
    if (isRmw(op) && (flagsOf(e) & RD) !== 0 && !this.sameValue(this.narrowIf(s.mem[e.cell] ?? 0, op.w), e.out, op.w)) {
      throw new Error('[internal] a read-modify-write\'s cell changed between its read and its write');
    }
    // A write: reuse the SC machine's access with the translation already made (a walk that
    // reads memory now would be wrong, so feed it the cell through a direct PTE-style access).
    const vc: CpuState = cpuWith(c, { pc: e.pc, regs: view.regs, win: [] });
    const r = this.writeAccess(this.withCpuAt(s, cpu, vc), cpu, op, e.cell, fail, e.clean === 1);
    if (r === undefined) return this.withCpuAt(s, cpu, cpuWith(c, { pc: -2 })); // a CAS kept clean that had to write
    const rc = this.cpuAt(r, cpu);
    const u = regUse(op);
    const w = u.writes[0];
    const ne: Inst = instWith(e, { stage: 2, out: w === undefined ? -1 : (rc.regs[w] ?? 0) });
    const after = this.withCpuAt(r, cpu, cpuWith(c, { excl: rc.excl, stale: rc.stale, tlb: rc.tlb }));
    return set(ne, after);
  }

  private narrow(id: number): number {
    const n = this.intOf(id);
    return n === undefined ? id : this.prog.values.int(BigInt.asUintN(32, n));
  }

  /** The write part of a store or read-modify-write on `cell`, as the SC machine performs it. */
  private writeAccess(s: MachineState, cpu: number, op: Op, cell: number, fail: boolean, keptClean: boolean): MachineState | undefined {
    const c = this.cpuAt(s, cpu);
    const old = s.mem[cell] ?? 0;
    if (keptClean && op.op === 'cas' && this.sameValue(old, this.reg(c, op.rs), op.w)) return undefined;
    return this.performOn(s, cpu, op, cell, fail);
  }

  // ---- head-only instructions and retirement ---------------------------------------------

  /** Runs the head instruction on the SC machine (every earlier instruction has retired). */
  private atHead(s: MachineState, cpu: number, via: Via | undefined, events?: AccessEvent[]): MachineState {
    const c = this.cpuAt(s, cpu);
    const e = c.win[0] as Inst;
    const fetchPc = c.pc;
    const t: Transition = via === undefined ? { k: 'exec', cpu } : { k: 'exec', cpu, via };
    const r = super.step(this.withCpuAt(s, cpu, cpuWith(c, { pc: e.pc, win: [] })), t, events);
    const rc = this.cpuAt(r, cpu);
    const op = this.slot(cpu, e.pc).op;
    if (rc.pc === -2) return r;
    // DSB/ISB/TLBI/MRS/AT fall through: fetch went on behind them; the others decided the pc.
    const fellThrough = op.op === 'dsb' || op.op === 'isb' || op.op === 'tlbi' || op.op === 'mrs' || op.op === 'at';
    if (fellThrough && rc.pc === e.next) return this.retire(this.withCpuAt(r, cpu, cpuWith(rc, { pc: fetchPc, win: c.win.slice(1) })), cpu);
    // A fault or a control transfer: later instructions in the window are discarded.
    return this.retire(this.withCpuAt(r, cpu, cpuWith(this.dropOwed(rc, c.win.slice(1)), { win: [] })), cpu);
  }

  /**
   * Runs DSB, ISB, TLBI, ERET or MSR at window entry `idx` ahead of unfinished earlier instructions (see
   * mayIssueEarly) on the SC machine, against the registers this entry sees; its effects on the
   * CPU (pending invalidations, walk records) stay, and the entry waits in the window, done.
   */
  private early(s: MachineState, cpu: number, idx: number, events?: AccessEvent[]): MachineState {
    const c = this.cpuAt(s, cpu);
    const e = c.win[idx] as Inst;
    const view = this.view(c, cpu, idx);
    if (view === undefined) throw new Error('[internal] early barrier or TLBI with inputs not ready');
    const r = super.step(this.withCpuAt(s, cpu, cpuWith(c, { pc: e.pc, regs: view.regs, win: [] })), { k: 'exec', cpu }, events);
    const rc = this.cpuAt(r, cpu);
    // ERET and MSR decide where fetch goes on (it waited for them); the others fall through.
    if (e.next !== -3 && rc.pc !== e.next) throw new Error('[internal] early barrier or TLBI did not fall through');
    const fetchPc = e.next === -3 ? rc.pc : c.pc;
    return this.withCpuAt(r, cpu, cpuWith(rc, { pc: fetchPc, regs: c.regs, flags: c.flags, win: c.win.map((x, i) => (i === idx ? instWith(x, { stage: 2 }) : x)) }));
  }

  /**
   * Enters the fault handler for the fault of window entry `idx` before the instructions ahead
   * of it are done. The exception entry is context-synchronising (herd: EXC-ENTRY is an IFB), so
   * it waits as an ISB would (see mayIssueEarly), but nothing orders it after earlier accesses
   * performing: the handler runs behind them in the window. Later instructions are discarded; the
   * faulting entry stays, done and without result, with no cell (see irrevocable).
   */
  private takeFault(s: MachineState, cpu: number, idx: number): MachineState {
    const c = this.cpuAt(s, cpu);
    const e = c.win[idx] as Inst;
    const r = this.fault(this.withCpuAt(s, cpu, cpuWith(c, { pc: e.pc, win: [] })), cpu, e.va, e.fault as FaultType);
    const rc = this.cpuAt(r, cpu);
    if (rc.pc === -2) return r;
    return this.withCpuAt(r, cpu, cpuWith(this.dropOwed(rc, c.win.slice(idx + 1)), { regs: c.regs, flags: c.flags, win: [...c.win.slice(0, idx), instWith(e, { stage: 2, fault: '', cell: -1 })] }));
  }

  /**
   * A window entry whose effect cannot be undone: a DSB, ISB, TLBI, ERET or MSR executed ahead of earlier
   * instructions, or a fault taken into its handler early (a done access without a cell).
   */
  private irrevocable(cpu: number, x: Inst): boolean {
    if (x.stage !== 2) return false;
    const op = this.slot(cpu, x.pc).op.op;
    return HEAD_ONLY.has(op) || (ACCESS_OPS.has(op) && x.cell < 0);
  }

  /** Retires done instructions from the head; takes a fault that reached the head. */
  private retire(s: MachineState, cpu: number): MachineState {
    let c = this.cpuAt(s, cpu);
    if (c.pc === -2) return s;
    let regs = c.regs;
    let flags = c.flags;
    let n = 0;
    while (n < c.win.length) {
      const e = c.win[n] as Inst;
      if (e.fault !== '') {
        const base = this.withCpuAt(s, cpu, cpuWith(this.dropOwed(c, c.win.slice(n)), { regs, flags, pc: e.pc, win: [] }));
        return this.fault(base, cpu, e.va, e.fault as FaultType);
      }
      if (e.stage !== 2) break;
      const u = regUse(this.slot(cpu, e.pc).op);
      const w = u.writes[0];
      if (w !== undefined && e.out >= 0 && regs[w] !== e.out) {
        regs = regs.slice();
        (regs as number[])[w] = e.out;
      }
      if (u.writesFlags && e.flags >= 0) flags = e.flags;
      n++;
    }
    if (n === 0) return s;
    c = cpuWith(c, { regs, flags, win: c.win.slice(n), retry: 0 });
    return this.withCpuAt(s, cpu, c);
  }

  /**
   * Another CPU's invalidation cannot complete on `cpu` between the read and the write of a
   * read-modify-write of `cpu` that translated an address it covers: the write would use the
   * old translation after the TLBI's DSB (herd TLBI-ob orders both effects before it), and
   * translating again would need the read again. Runs where the invalidation completes before
   * the read cover the other order.
   */
  private invWaits(s: MachineState, cpu: number, idx: number): boolean {
    const c = this.cpuAt(s, cpu);
    const inv = c.inv[idx];
    if (inv === undefined || inv.issuer === cpu) return false;
    const covers = (e: Inst): boolean => e.stage === 1 && e.fault === '' && e.va >= 0 && (inv.va === ALL_PAGES || inv.va === e.va);
    if (c.win.some((e) => covers(e) && ((flagsOf(e) & RD) !== 0 || e.clean === UPDATED))) return true;
    // Nor may it send back to translate an access that a DSB, ISB, TLBI or exception entry
    // executed early after relied on being translated (see mayIssueEarly).
    let lastEarly = -1;
    c.win.forEach((e, j) => {
      if (this.irrevocable(cpu, e)) lastEarly = j;
    });
    if (c.win.some((e, j) => j < lastEarly && covers(e))) return true;
    // Nor may it reach a fault taken into its handler before the fault was ordered (takeFault):
    // that fault comes before the TLBI's DSB, and so after what orders it.
    return c.win.some((e, j) => e.stage === 2 && e.cell < 0 && e.va >= 0 && (inv.va === ALL_PAGES || inv.va === e.va) && ACCESS_OPS.has(this.slot(cpu, e.pc).op.op) && !this.mayFault(c, cpu, j));
  }

  /**
   * After an invalidation of `va` (ALL_PAGES: every address) completes on `cpu`, accesses that
   * translated it and have not performed translate again: a walk before the TLBI must have its
   * access (or fault) before the TLBI's DSB (herd's TLBI-ob), which this CPU cannot promise.
   */
  private untranslate(s: MachineState, cpu: number, va: number): MachineState {
    const c = this.cpuAt(s, cpu);
    // (A read-modify-write whose read is done cannot be hit: see invWaits.)
    // A fault found before the invalidation, once nothing orders it after earlier instructions
    // (mayFault), has happened (it is ordered before the TLBI's DSB by TLBI-ob): it stays.
    const hit = (e: Inst, j: number): boolean => e.stage === 1 && (e.fault === '' || !this.mayFault(c, cpu, j)) && e.va >= 0 && (va === -1 || va === e.va) && (flagsOf(e) & RD) === 0;
    if (!c.win.some(hit)) return s;
    const win = c.win.map((e, j) => (hit(e, j) ? instWith(e, { stage: 0, cell: -1, va: -1, fault: '' }) : e));
    return this.withCpuAt(s, cpu, cpuWith(this.dropOwed(c, c.win.filter((e, j) => hit(e, j))), { win }));
  }

  private cpuAt(s: MachineState, cpu: number): CpuState {
    return cpuOf(s, cpu);
  }

  private withCpuAt(s: MachineState, cpu: number, c: CpuState): MachineState {
    return withCpu(s, cpu, c);
  }
}

// Register `r` of a register list, as Machine.reg reads it from a CPU (XZR and unset ones are 0).
function regIn(regs: readonly number[], r: Reg): number {
  return r === ZR ? 0 : (regs[r] ?? 0);
}

// Whether register `r` is in the pending set `mask` (bit r; registers 0..30, XZR never pending).
function isPending(mask: number, r: Reg): boolean {
  return r < 31 && ((mask >>> r) & 1) === 1;
}

/**
 * A read-modify-write whose read result goes nowhere (destination XZR): its read is not ordered
 * by DMB LD or by acquire semantics (Arm ARM B2.3: such reads are not "observed"; herd's NoRet).
 */
function noRet(op: Op): boolean {
  return ((op.op === 'swp' || op.op === 'rmw') && op.rt === 31) || (op.op === 'cas' && op.rs === 31);
}

/** An acquire-release SWP, CAS or LD<op> (SWPAL, CASAL, LDADDAL...): herd's amo with A and L. */
function acqRelRmw(op: Op): boolean {
  return isRmw(op) && op.ord.acquire !== 'none' && op.ord.release && !noRet(op);
}

/** SWP, CAS and LD<op>/ST<op>: a read and a write of one cell that no other write comes between. */
function isRmw(op: Op): op is Extract<Op, { op: 'swp' | 'cas' | 'rmw' }> {
  return op.op === 'swp' || op.op === 'cas' || op.op === 'rmw';
}

/**
 * A guess not yet checked: a CSEL whose condition was guessed (stage 1), or a CAS guessed to
 * succeed whose compare has not been made.
 */
function openGuess(x: Inst, xo: Op): boolean {
  return (xo.op === 'csel' && x.stage === 1) || (xo.op === 'cas' && (flagsOf(x) & CAS_OK) !== 0 && (flagsOf(x) & CAS_CHECKED) === 0);
}

/** The read-modify-write progress bits of a window entry (see RD). */
function flagsOf(e: Inst): number {
  return e.flags < 0 ? 0 : e.flags;
}

function isRmwLike(op: Op): boolean {
  return op.op === 'swp' || op.op === 'cas' || op.op === 'rmw' || op.op === 'stxr';
}

/** A data memory model: sequential consistency, or Armv8 (the relaxed machine above). */
export type DataModel = 'sc' | 'arm';

/** The model used when none is named: the architecture's. */
export const DEFAULT_MODEL: DataModel = 'arm';

/** The machine for a data model. */
export function machineFor(model: 'sc' | 'arm', ...args: ConstructorParameters<typeof Machine>): Machine {
  return model === 'arm' ? new RelaxedMachine(...args) : new Machine(...args);
}
