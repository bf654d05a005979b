// The relaxed (Armv8) model: the VMSA machine with out-of-order execution over flat,
// multi-copy-atomic memory, after the Flat model (Pulte et al., POPL 2018), simplified.
//
// Each CPU fetches instructions into a window in program order, guessing the direction of
// conditional branches (a wrong guess kills the run when the branch resolves, which is how
// speculation without restart is explored); instructions then execute out of order when their
// register inputs are ready and no barrier, acquire or release forbids it:
//  - a memory access first translates (TLB entry, early walk or a walk now, as in the SC
//    machine), then performs: a load reads memory or forwards from the nearest earlier store to
//    the same cell not yet written; a store or read-modify-write writes memory;
//  - accesses to one cell perform in program order (coherence); a load may pass an earlier access
//    whose cell is unknown and restarts (with everything after it) if that access turns out to
//    conflict; a write performs only once every earlier branch is resolved and every earlier
//    access has translated without fault (no speculative or faulting writes);
//  - DMB SY orders all earlier accesses before later ones, DMB LD earlier loads before later
//    accesses, DMB ST earlier writes before later writes; LDAR/LDAPR (and acquire RMWs) order
//    later accesses after them; STLR (and release RMWs) perform after all earlier accesses;
//    LDAR performs after earlier STLRs (RCsc);
//  - DSB, ISB, TLBI, ERET, MSR/MRS, AT, SVC and UDF execute only at the head of the window (with
//    every earlier instruction done), with the SC machine's semantics, and nothing after them
//    executes before they do;
//  - a fault is taken when the faulting instruction reaches the head; later instructions in the
//    window are discarded;
//  - a translated access whose address a TLBI invalidates on this CPU must translate again
//    (herd's TLBI-ob: a walk before the TLBI makes its access come before the TLBI's DSB).
// Done instructions retire from the head at once, updating the registers.
// Known simplifications (fewer behaviours than the architecture, never more): ISB and TLBI wait
// for earlier stores; read-modify-writes read at the point they write, and nothing forwards from
// them (forwarding from a CAS guessed to succeed was tried: it allowed outcomes herd forbids,
// e.g. MP+rel+swp-acq); herd's CAS/SWP register-dependency refinements are not modelled.
// Translations (walks and the TLB) follow the SC machine (model/machine.ts), except that a
// descriptor-updating translation (HA/HD) happens in the same step as its access.

import type { Op, Reg } from './decode.js';
import { regUse } from './decode.js';
import { cpuOf, Machine, withCpu, type AccessEvent, type Transition, type Via } from './machine.js';
import type { CpuState, FaultType, Inst, MachineState } from './state.js';

/** A step of the relaxed machine: the SC machine's walks and invalidations, plus fetch and instruction steps. */
export type RTransition =
  | Exclude<Transition, { k: 'exec' }>
  /** fetch the next instruction; `taken` is the guess for a conditional branch */
  | { readonly k: 'fetch'; readonly cpu: number; readonly taken?: boolean }
  /**
   * advance window entry `idx` by one stage (`via`/`fail` as for exec); `atomic`: translate and
   * perform in one step (a translation that updates a descriptor)
   */
  | { readonly k: 'do'; readonly cpu: number; readonly idx: number; readonly via?: Via; readonly fail?: boolean; readonly atomic?: boolean };

/** How many instructions a CPU may have in flight. */
export const WINDOW = 12;

const HEAD_ONLY = new Set(['dsb', 'isb', 'tlbi', 'eret', 'msr', 'mrs', 'at', 'svc', 'udf']);
const MEMORY = new Set(['load', 'store', 'stxr', 'swp', 'cas', 'rmw']);

function inst(pc: number, next: number): Inst {
  return { pc, stage: 0, cell: -1, va: -1, fault: '', out: -1, flags: -1, next, clean: 0 };
}

/** The relaxed machine for one loaded program. */
export class RelaxedMachine extends Machine {
  constructor(...args: ConstructorParameters<typeof Machine>) {
    super(...args);
  }

  override isFinal(s: MachineState): boolean {
    return super.isFinal(s) && s.cpus.every((c) => c.win.length === 0);
  }

  /** Enabled steps, CPU by CPU: fetch, window entries in order, walks, invalidations, evictions. */
  override enabled(s: MachineState): Transition[] {
    return this.renabled(s) as unknown as Transition[];
  }

  renabled(s: MachineState): RTransition[] {
    const out: RTransition[] = [];
    if (s.cpus.some((c) => c.pc === -2)) return out;
    s.cpus.forEach((c, cpu) => {
      this.fetchChoices(c, cpu, out);
      c.win.forEach((_, idx) => this.windowChoices(s, cpu, idx, out));
    });
    // Walks, invalidation completions and evictions exactly as in the SC machine.
    for (const t of super.enabled({ ...s, cpus: s.cpus.map((c) => ({ ...c, pc: -1 })) })) if (t.k !== 'exec') out.push(t);
    return out;
  }

  override initial(): MachineState {
    return this.fetchAhead(super.initial());
  }

  override step(s: MachineState, t: Transition, events?: AccessEvent[]): MachineState {
    return this.fetchAhead(this.afterStep(s, this.step1(s, t, events)));
  }

  private step1(s: MachineState, t: Transition, events?: AccessEvent[]): MachineState {
    const r = t as unknown as RTransition;
    if (r.k === 'fetch') return this.fetch(s, r.cpu, r.taken);
    if (r.k === 'do') {
      let st = this.doStep(s, r.cpu, r.idx, r.via, r.fail === true, events);
      if (r.atomic === true) st = this.doStep(st, r.cpu, r.idx, undefined, r.fail === true, events);
      return this.retire(st, r.cpu);
    }
    const next = this.transition(s, t, events);
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
  private fetchAhead(s: MachineState): MachineState {
    let st = s;
    st.cpus.forEach((_, cpu) => {
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
    if (HEAD_ONLY.has(op.op) && op.op !== 'dsb' && op.op !== 'isb' && op.op !== 'tlbi' && op.op !== 'mrs' && op.op !== 'at') {
      next = -3; // ERET, MSR, SVC, UDF decide where execution goes: fetch waits for them
    } else if (op.op === 'b' && (op.cond === undefined || taken === true)) next = this.jump(c, cpu, op.target).pc;
    else if (op.op === 'cbz' && taken === true) next = this.jump(c, cpu, op.target).pc;
    else next = this.advance(c, cpu).pc;
    return this.withCpuAt(s, cpu, { ...c, pc: next, win: [...c.win, inst(c.pc, next)] });
  }

  // ---- window steps ---------------------------------------------------------------------

  /**
   * Register file and flags as instruction `idx` sees them, or undefined if an input it needs is
   * not ready. `addrOnly`: only the address registers of an access (enough to translate it).
   */
  private view(c: CpuState, cpu: number, idx: number, addrOnly = false): { regs: number[]; flags: number } | undefined {
    const regs = c.regs.slice();
    let flags = c.flags;
    const pendingRegs = new Set<Reg>();
    let pendingFlags = false;
    for (let j = 0; j < idx; j++) {
      const e = c.win[j] as Inst;
      const u = regUse(this.slot(cpu, e.pc).op);
      for (const r of u.writes) {
        if (e.out >= 0 && e.stage === 2) {
          regs[r] = e.out;
          pendingRegs.delete(r);
        } else pendingRegs.add(r);
      }
      if (u.writesFlags) {
        if (e.stage === 2) {
          flags = e.flags;
          pendingFlags = false;
        } else pendingFlags = true;
      }
    }
    const op = this.slot(cpu, (c.win[idx] as Inst).pc).op;
    const me = regUse(op);
    let reads = me.reads;
    if (addrOnly && 'addr' in op) reads = [op.addr.base, ...(op.addr.offset?.kind === 'reg' ? [op.addr.offset.reg] : [])];
    else if (op.op === 'csel' && !pendingFlags) {
      // CSEL depends only on the register it selects once the condition is known (herd).
      reads = [this.condHolds(flags, op.cond, cpu, (c.win[idx] as Inst).pc) ? op.rn : op.rm];
    }
    if (reads.some((r) => pendingRegs.has(r)) || (me.readsFlags && pendingFlags)) return undefined;
    return { regs, flags };
  }

  private windowChoices(s: MachineState, cpu: number, idx: number, out: RTransition[]): void {
    const c = s.cpus[cpu] as CpuState;
    const e = c.win[idx] as Inst;
    if (e.stage === 2) return;
    const op = this.slot(cpu, e.pc).op;
    const earlier = c.win.slice(0, idx);
    // Nothing passes an unfinished head-only instruction (ISB, TLBI, ERET, ...), except that an
    // access may translate past a DSB: DSB orders accesses, not the walks of later instructions
    // (herd's DSB-ob); only an ISB makes later instructions translate after it.
    const blocker = earlier.find((x) => HEAD_ONLY.has(this.slot(cpu, x.pc).op.op));
    if (blocker !== undefined) {
      const onlyDsbs = earlier.every((x) => !HEAD_ONLY.has(this.slot(cpu, x.pc).op.op) || this.slot(cpu, x.pc).op.op === 'dsb');
      if (!(onlyDsbs && MEMORY.has(op.op) && e.stage === 0)) return;
    }
    if (HEAD_ONLY.has(op.op)) {
      if (idx !== 0) return;
      if (op.op === 'dsb') {
        const sc: Transition[] = [];
        super.enabled({ ...s, cpus: s.cpus.map((o, i) => (i === cpu ? { ...o, pc: e.pc, win: [] } : { ...o, pc: -1 })) }).forEach((t) => {
          if (t.k === 'exec') sc.push(t);
        });
        if (sc.length === 0) return; // waiting for TLBI completion
      }
      if (op.op === 'at') {
        for (const t of this.scExecChoices(s, cpu, e.pc)) out.push({ k: 'do', cpu, idx, ...(t.via === undefined ? {} : { via: t.via }) });
        return;
      }
      out.push({ k: 'do', cpu, idx });
      return;
    }
    const view = this.view(c, cpu, idx, MEMORY.has(op.op) && e.stage === 0);
    if (view === undefined) return;
    if (op.op === 'dmb') {
      const need = op.row.type === 'ld' ? (x: Op) => x.op === 'load' || (isRmwLike(x) && !noRet(x)) : op.row.type === 'st' ? (x: Op) => x.op !== 'load' && MEMORY.has(x.op) : (x: Op) => MEMORY.has(x.op);
      if (earlier.every((x) => x.stage === 2 || !need(this.slot(cpu, x.pc).op))) out.push({ k: 'do', cpu, idx });
      return;
    }
    if (!MEMORY.has(op.op)) {
      out.push({ k: 'do', cpu, idx });
      return;
    }
    if (e.stage === 0) {
      // Translate: walks are not ordered by DMB or acquire (herd: only addresses, ISB and DSB order them).
      const vc: CpuState = { ...c, pc: e.pc, regs: view.regs };
      // One step per translation choice; for a CAS under TTHM=HD also whether a failing compare
      // keeps the descriptor clean (the SC choices' `fail`); a STXR's outcome is chosen later.
      const seen = new Set<string>();
      for (const t of this.scExecChoices({ ...s, cpus: s.cpus.map((o, i) => (i === cpu ? vc : o)) }, cpu, e.pc)) {
        const fail = op.op === 'cas' && t.fail === true;
        const key = `${JSON.stringify(t.via)}/${fail}`;
        if (seen.has(key)) continue;
        seen.add(key);
        const base = { k: 'do' as const, cpu, idx, ...(t.via === undefined ? {} : { via: t.via }), ...(fail ? { fail } : {}) };
        // A translation that writes a descriptor (hardware AF/dirty update) is part of the access
        // and ordered like it (herd orders the update with its access), so it happens only when
        // the access can perform, in the same step.
        const a = this.address(vc, (op as Op & { addr: never }).addr, cpu, e.pc);
        const tr = this.translate(s, cpu, e.pc, a, t.via ?? { kind: 'walk', stale: false }, op.op !== 'load', () => fail);
        if (!tr.ok || tr.state.mem === s.mem) {
          out.push(base);
          continue;
        }
        const trial: CpuState = { ...c, win: c.win.map((x, i) => (i === idx ? { ...x, stage: 1, cell: tr.cell } : x)) };
        if (this.view(c, cpu, idx) !== undefined && this.mayPerform(trial, cpu, idx, op)) out.push({ ...base, atomic: true });
      }
      return;
    }
    if (e.fault !== '') return; // taken at the head by retire
    if (this.mayPerform(c, cpu, idx, op)) {
      if (op.op === 'stxr') {
        out.push({ k: 'do', cpu, idx, fail: true });
        if (c.excl === e.cell) out.push({ k: 'do', cpu, idx, fail: false });
      } else out.push({ k: 'do', cpu, idx });
    }
  }

  /** The SC machine's exec choices for the instruction at `pc` (translation vias, STXR outcomes). */
  private scExecChoices(s: MachineState, cpu: number, pc: number): (Transition & { k: 'exec' })[] {
    const sc = super.enabled({ ...s, cpus: s.cpus.map((o, i) => (i === cpu ? { ...o, pc, win: [] } : { ...o, pc: -1 })) });
    return sc.filter((t): t is Transition & { k: 'exec' } => t.k === 'exec' && t.cpu === cpu);
  }

  /** Ordering conditions for performing memory access `idx` (its translation is done). */
  private mayPerform(c: CpuState, cpu: number, idx: number, op: Op): boolean {
    const e = c.win[idx] as Inst;
    const writes = op.op !== 'load';
    const release = 'ord' in op && op.ord.release;
    const rcsc = op.op === 'load' && op.ord.acquire === 'acq';
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
      if (!MEMORY.has(xo.op)) continue;
      // A write waits until every earlier access knows its cell and cannot fault. A load may
      // pass an earlier access whose cell is unknown: if that access turns out to hit the
      // load's cell, the load and everything after it restart (see restartAfter).
      if ((x.stage === 0 || x.fault !== '') && writes) return false;
      if ('ord' in xo && xo.ord.acquire !== 'none' && !noRet(xo)) return false; // acquire orders later accesses
      if (release) return false; // release: every earlier access first
      if (rcsc && 'ord' in xo && xo.ord.release) return false; // LDAR after STLR
      if (x.stage === 0 || x.fault !== '') continue;
      if (x.cell === e.cell) {
        // Coherence: same-cell accesses perform in program order, except that a load may read
        // from the nearest earlier store not yet written (forwarding; see perform()).
        if (op.op === 'load' && xo.op === 'store') continue;
        return false;
      }
    }
    if (op.op === 'load') {
      const fwd = this.forwardFrom(c, cpu, idx);
      if (fwd === null) return false;
    }
    return true;
  }

  /**
   * For a load at `idx`: the index of the nearest earlier same-cell store not yet written
   * (undefined if none), or null when that store's data is not ready.
   */
  private forwardFrom(c: CpuState, cpu: number, idx: number): number | undefined | null {
    const e = c.win[idx] as Inst;
    for (let j = idx - 1; j >= 0; j--) {
      const x = c.win[j] as Inst;
      if (x.cell !== e.cell || x.stage === 2) continue;
      const xo = this.slot(cpu, x.pc).op;
      if (xo.op !== 'store') return null;
      return this.view(c, cpu, j) === undefined ? null : j;
    }
    return undefined;
  }

  // ---- performing a step ----------------------------------------------------------------

  private doStep(s: MachineState, cpu: number, idx: number, via: Via | undefined, fail: boolean, events?: AccessEvent[]): MachineState {
    const c = this.cpuAt(s, cpu);
    const e = c.win[idx] as Inst;
    const op = this.slot(cpu, e.pc).op;
    if (HEAD_ONLY.has(op.op)) return this.atHead(s, cpu, via, events);
    const view = this.view(c, cpu, idx, MEMORY.has(op.op) && e.stage === 0);
    if (view === undefined) throw new Error('[internal] relaxed step with inputs not ready');
    const set = (ne: Inst, st: MachineState = s): MachineState => {
      const cc = this.cpuAt(st, cpu);
      return this.withCpuAt(st, cpu, { ...cc, win: cc.win.map((x, i) => (i === idx ? ne : x)) });
    };
    if (op.op === 'dmb' || op.op === 'nop') return set({ ...e, stage: 2 });
    if (!MEMORY.has(op.op)) return this.compute(s, cpu, idx, view, set);
    const vc: CpuState = { ...c, pc: e.pc, regs: view.regs };
    if (e.stage === 0) {
      const a = this.address(vc, (op as Op & { addr: never }).addr, cpu, e.pc);
      const writes = op.op !== 'load';
      const tr = this.translate(s, cpu, e.pc, a, via ?? { kind: 'walk', stale: false }, writes, () => fail, events);
      const va = a.kind === 'va' ? a.v : -1;
      if (!tr.ok) return set({ ...e, stage: 1, va: tr.va, fault: tr.type });
      return this.restartAfter(set({ ...e, stage: 1, cell: tr.cell, va, clean: fail ? 1 : 0 }, tr.state), cpu, idx, (x) =>
        // A later load that read the same cell ahead of this write, or the same address through
        // another translation (herd's TLBI-ob orders walks of one address on one thread).
        (x.cell === tr.cell && op.op !== 'load') || (va >= 0 && x.va === va && x.cell !== tr.cell),
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
    const win = c.win.map((x, j) => (j < from ? x : inst(x.pc, x.next)));
    return this.withCpuAt(s, cpu, { ...c, win });
  }

  /** A non-memory instruction: run it on the SC machine against this instruction's register view. */
  private compute(s: MachineState, cpu: number, idx: number, view: { regs: number[]; flags: number }, set: (e: Inst, st?: MachineState) => MachineState): MachineState {
    const c = this.cpuAt(s, cpu);
    const e = c.win[idx] as Inst;
    const op = this.slot(cpu, e.pc).op;
    const vc: CpuState = { ...c, pc: e.pc, regs: view.regs, flags: view.flags, win: [] };
    const r = super.step(this.withCpuAt(s, cpu, vc), { k: 'exec', cpu });
    const rc = this.cpuAt(r, cpu);
    const u = regUse(op);
    const w = u.writes[0];
    const ne: Inst = { ...e, stage: 2, out: w === undefined ? -1 : (rc.regs[w] ?? 0), flags: u.writesFlags ? rc.flags : -1 };
    if ((op.op === 'b' || op.op === 'cbz') && rc.pc !== e.next) return this.withCpuAt(s, cpu, { ...c, pc: -2 }); // mispredicted: this run is not one
    return set(ne);
  }

  /** Performs a translated access: read, write, or both atomically. */
  private perform(s: MachineState, cpu: number, idx: number, op: Op, view: { regs: number[]; flags: number }, fail: boolean, set: (e: Inst, st?: MachineState) => MachineState): MachineState {
    const c = this.cpuAt(s, cpu);
    const e = c.win[idx] as Inst;
    if (op.op === 'load') {
      const fwd = this.forwardFrom(c, cpu, idx);
      let value: number;
      if (typeof fwd === 'number') {
        const so = this.slot(cpu, (c.win[fwd] as Inst).pc).op as Op & { op: 'store' };
        value = this.reg({ ...c, regs: (this.view(c, cpu, fwd) as { regs: number[] }).regs }, so.rt);
      } else value = s.mem[e.cell] ?? 0;
      const w = op.w ? this.narrow(value) : value;
      const st = op.exclusive ? this.withCpuAt(s, cpu, { ...c, excl: e.cell }) : s;
      // A later load of this cell that performed first must have read the same value (coherence);
      // equal values are indistinguishable, so only a different one restarts it.
      return this.restartAfter(set({ ...e, stage: 2, out: w }, st), cpu, idx, (x) => x.cell === e.cell && x.out !== w);
    }
    // A write: reuse the SC machine's access with the translation already made (a walk that
    // reads memory now would be wrong, so feed it the cell through a direct PTE-style access).
    const vc: CpuState = { ...c, pc: e.pc, regs: view.regs, win: [] };
    const r = this.writeAccess(this.withCpuAt(s, cpu, vc), cpu, op, e.cell, fail, e.clean === 1);
    if (r === undefined) return this.withCpuAt(s, cpu, { ...c, pc: -2 }); // a CAS kept clean that had to write
    const rc = this.cpuAt(r, cpu);
    const u = regUse(op);
    const w = u.writes[0];
    const ne: Inst = { ...e, stage: 2, out: w === undefined ? -1 : (rc.regs[w] ?? 0) };
    const after = this.withCpuAt(r, cpu, { ...c, excl: rc.excl, stale: rc.stale, tlb: rc.tlb });
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
    const r = super.step(this.withCpuAt(s, cpu, { ...c, pc: e.pc, win: [] }), t, events);
    const rc = this.cpuAt(r, cpu);
    const op = this.slot(cpu, e.pc).op;
    if (rc.pc === -2) return r;
    // DSB/ISB/TLBI/MRS/AT fall through: fetch went on behind them; the others decided the pc.
    const fellThrough = op.op === 'dsb' || op.op === 'isb' || op.op === 'tlbi' || op.op === 'mrs' || op.op === 'at';
    if (fellThrough && rc.pc === e.next) return this.retire(this.withCpuAt(r, cpu, { ...rc, pc: fetchPc, win: c.win.slice(1) }), cpu);
    // A fault or a control transfer: later instructions in the window are discarded.
    return this.retire(this.withCpuAt(r, cpu, { ...rc, win: [] }), cpu);
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
        const base = this.withCpuAt(s, cpu, { ...c, regs, flags, pc: e.pc, win: [] });
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
    c = { ...c, regs, flags, win: c.win.slice(n), retry: 0 };
    return this.withCpuAt(s, cpu, c);
  }

  /**
   * After an invalidation of `va` (ALL_PAGES: every address) completes on `cpu`, accesses that
   * translated it and have not performed translate again: a walk before the TLBI must have its
   * access (or fault) before the TLBI's DSB (herd's TLBI-ob), which this CPU cannot promise.
   */
  private untranslate(s: MachineState, cpu: number, va: number): MachineState {
    const c = this.cpuAt(s, cpu);
    const hit = (e: Inst): boolean => e.stage === 1 && e.va >= 0 && (va === -1 || va === e.va);
    if (!c.win.some(hit)) return s;
    const win = c.win.map((e) => (hit(e) ? { ...e, stage: 0, cell: -1, va: -1, fault: '' } : e));
    return this.withCpuAt(s, cpu, { ...c, win });
  }

  private cpuAt(s: MachineState, cpu: number): CpuState {
    return cpuOf(s, cpu);
  }

  private withCpuAt(s: MachineState, cpu: number, c: CpuState): MachineState {
    return withCpu(s, cpu, c);
  }
}

/**
 * A read-modify-write whose read result goes nowhere (destination XZR): its read is not ordered
 * by DMB LD or by acquire semantics (Arm ARM B2.3: such reads are not "observed"; herd's NoRet).
 */
function noRet(op: Op): boolean {
  return ((op.op === 'swp' || op.op === 'rmw') && op.rt === 31) || (op.op === 'cas' && op.rs === 31);
}

function isRmwLike(op: Op): boolean {
  return op.op === 'swp' || op.op === 'cas' || op.op === 'rmw' || op.op === 'stxr';
}

/** The machine for a data model. */
export function machineFor(model: 'sc' | 'arm', ...args: ConstructorParameters<typeof Machine>): Machine {
  return model === 'arm' ? new RelaxedMachine(...args) : new Machine(...args);
}
