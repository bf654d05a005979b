// The machine state: immutable plain data. One canonical encoding (`encodeState`) serves
// equality, hashing and transfer; nothing outside model/ looks inside a state except through it.

import type { Val, ValueTable } from './values.js';

/**
 * A cached translation (Arm ARM D8.13 "TLB maintenance"): `va` is a variable id, `desc` the
 * value id of the descriptor the walk read. `escProc`/`escPc` name the TLBI this entry escaped
 * (the writer's DSB completed a TLBI for this address that never removed this entry), or -1.
 */
export interface TlbEntry {
  readonly va: number;
  readonly desc: number;
  readonly escProc: number;
  readonly escPc: number;
}

/**
 * A walk performed ahead of the instruction that needs it: a faulting descriptor (Arm TLBs never
 * cache those, but a later instruction's walk may be satisfied early, out of order), or a valid
 * translation a TLBI of this CPU removed from its TLB after a later instruction had walked it.
 * Context synchronisation (ISB, exception entry and return) discards it; so does the completion
 * of another CPU's TLBI for that address.
 */
export interface EarlyFault {
  readonly va: number;
  readonly desc: number;
}

/**
 * A hardware descriptor update a CPU's walker owes: a walk read `desc` from PTE(va) and the
 * update writes `upd` there, atomically with that read (only while PTE(va) still holds `desc`).
 * `pc`: the store whose translation owes it (a dirty-state update, relaxed model), -1 for an
 * Access-flag update of a walk.
 */
export interface OwedUpdate {
  readonly va: number;
  readonly desc: number;
  readonly upd: number;
  readonly pc: number;
}

/** A TLB invalidation that still has to complete on the CPU holding it. `va` -1 means all. */
export interface PendingInv {
  readonly issuer: number;
  readonly pc: number;
  readonly va: number;
}

/** A TLBI issued by this CPU that no DSB of its own has waited for yet. */
export interface Unsynced {
  readonly pc: number;
  readonly va: number;
  readonly broadcast: boolean;
}

/**
 * A page-table store of this CPU that its own walker may not see yet: a walk by this CPU may
 * still read `old`, the value before its latest store to PTE(va). Walks are not coherent with
 * the PE's own stores (Arm ARM D8.2 "Translation table walks"); the store is guaranteed visible
 * to later walks only after a DSB and then a context synchronisation (herd: DSB-ob; [IFB]; po).
 * `synced` is 1 once a DSB has followed the store; an ISB (or exception entry/return) then drops
 * the record, and so does the completion on this CPU of any TLBI covering that address.
 */
export interface StaleWalk {
  readonly va: number;
  readonly old: number;
  readonly synced: number;
}

/**
 * An instruction in flight in the relaxed model's out-of-order window (model/relaxed.ts).
 * `stage` 0: fetched; 1: translated (memory accesses: `cell` or `fault` known); 2: done (value
 * produced, store or read-modify-write performed on memory, barrier passed).
 */
export interface Inst {
  readonly pc: number;
  readonly stage: number;
  /** the memory cell a translated access reaches, -1 before */
  readonly cell: number;
  /** the variable an access translated, -1 for none or a direct PTE access */
  readonly va: number;
  /** the fault a translation found ('' none) */
  readonly fault: string;
  /** value id written to the op's destination register (or the flags word for CMP), -1 before */
  readonly out: number;
  /** NZCV written, -1 if none */
  readonly flags: number;
  /** the next pc the fetch went on with (a branch's guess) */
  readonly next: number;
  /** a CAS that keeps a clean descriptor clean if its compare fails (TTHM=HD choice): 1; relaxed model: 2 once a store's owed dirty-state update is made */
  readonly clean: number;
}

/** Kinds of fault, as herd names them. */
export type FaultType = 'Translation' | 'AccessFlag' | 'Permission' | 'UndefinedInstruction' | 'SupervisorCall';

/** A fault that was taken: thread, faulting slot, virtual address (-1 for none), type. */
export interface FaultRec {
  readonly proc: number;
  readonly pc: number;
  readonly va: number;
  readonly type: FaultType;
}

/**
 * One CPU. `pc` is -1 once the thread has finished (or stopped on a fatal fault), -2 when the
 * execution is discarded as herd discards it (a fault inside a fault handler, or a second fault
 * on the retry of handled mode).
 */
export interface CpuState {
  readonly pc: number;
  /** value ids of X0, X1, ...: up to the highest register the program names (model/load.ts); the rest read as 0 */
  readonly regs: readonly number[];
  /** NZCV in bits 3..0; bit 4 set when the last CMP compared unequal symbols (only Z is meaningful) */
  readonly flags: number;
  /** value id of ELR_EL1, -1 if never written */
  readonly elr: number;
  /** value id of PAR_EL1 (written by AT), -1 if never written */
  readonly par: number;
  // invariant: tlb, early, inv, unsynced and stale are sorted by compareRecords and free of duplicates.
  readonly tlb: readonly TlbEntry[];
  readonly early: readonly EarlyFault[];
  readonly inv: readonly PendingInv[];
  readonly unsynced: readonly Unsynced[];
  readonly stale: readonly StaleWalk[];
  /** memory cell held by the exclusive monitor, or -1 */
  readonly excl: number;
  /** 1 while re-executing an instruction that faulted in handled mode without a handler */
  readonly retry: number;
  /** relaxed model only: instructions fetched and not yet retired, in program order (else empty) */
  readonly win: readonly Inst[];
  /**
   * Hardware updates this CPU's walker owes: a walk read descriptor `desc` with af:0 (TTHM=HA)
   * and used it as af:1, or (relaxed model, TTHM=HD) a store's walk read a clean dbm:1
   * descriptor and used it as dirty; the write happens later, atomically with that read (only
   * while PTE(va) still holds `desc`). Barriers other than a full DSB do not order it (herd:
   * NT-12-dmb, MP+HD-DSB.ST). A run that can never perform it is not an execution.
   */
  readonly hu: readonly OwedUpdate[];
  /** backward branches taken so far: pairs (target pc, times), sorted by target (see Program.unroll) */
  readonly loops: readonly number[];
}

/**
 * A remap that needed no break when it was observable (CPU `cpu` could translate `va` to page
 * `oldPa` while memory mapped it to `newPa`, both read-only, with equal contents) and that
 * becomes a break-before-make violation if the two pages' contents ever differ later: herd's
 * aarch64bbm.cat compares every value written to the two pages over the whole execution.
 */
export interface QuietRemap {
  readonly cpu: number;
  readonly va: number;
  readonly oldDesc: number;
  readonly newDesc: number;
}

/** The whole machine. */
export interface MachineState {
  /** value ids: cell 2v data at PA(v), cell 2v+1 descriptor PTE(v) */
  readonly mem: readonly number[];
  readonly cpus: readonly CpuState[];
  // invariant: sorted, no duplicates
  readonly faults: readonly FaultRec[];
  // invariant: sorted, no duplicates; only grows
  readonly remaps: readonly QuietRemap[];
}

/** Inserts `x` into a sorted record list (no-op when present), returning a new list. */
export function insertSorted<T extends object>(list: readonly T[], x: T): readonly T[] {
  let i = 0;
  while (i < list.length) {
    const c = compareRecords(list[i] as T, x);
    if (c === 0) return list;
    if (c > 0) break;
    i++;
  }
  const out: T[] = [];
  for (let j = 0; j < i; j++) out.push(list[j] as T);
  out.push(x);
  for (let j = i; j < list.length; j++) out.push(list[j] as T);
  return out;
}

// withFault's memo: for a fault list object, the list object each fault added to it gave.
const FAULT_INSERTS = new WeakMap<readonly FaultRec[], Map<number, readonly FaultRec[]>>();

/**
 * `faults` with `f` added (insertSorted), as one list object for one list object and fault.
 * Fault steps of a search start from the few fault lists the frontier shares, and a new list
 * object equal to a known one cost encoding a string key to be recognised (StateWords); this one
 * is recognised by object.
 */
export function withFault(faults: readonly FaultRec[], f: FaultRec): readonly FaultRec[] {
  const type = FAULT_CODES[f.type] ?? 7;
  if (f.proc < 0 || f.proc >= 1024 || f.pc < 0 || f.pc >= 65536 || f.va < -1 || f.va + 1 >= 65536) return insertSorted(faults, f);
  const code = ((f.proc * 65536 + f.pc) * 65536 + (f.va + 1)) * 8 + type;
  let memo = FAULT_INSERTS.get(faults);
  if (memo === undefined) FAULT_INSERTS.set(faults, (memo = new Map()));
  let out = memo.get(code);
  if (out === undefined) memo.set(code, (out = insertSorted(faults, f)));
  return out;
}

/** Orders records by their fields in declaration order (numbers and strings). */
export function compareRecords(a: object, b: object): number {
  // for...in walks own fields in creation order without building arrays (this runs per step)
  const ra = a as Record<string, number | string | boolean>;
  const rb = b as Record<string, number | string | boolean>;
  for (const k in ra) {
    const x = ra[k] as number | string | boolean;
    const y = rb[k] as number | string | boolean;
    if (x < y) return -1;
    if (x > y) return 1;
  }
  return 0;
}

const FAULT_CODES: Record<string, number> = { '': 0, Translation: 1, AccessFlag: 2, Permission: 3, UndefinedInstruction: 4, SupervisorCall: 5 };

/**
 * Visits every field of a state in one fixed order: `w` receives plain numbers, `v` value ids.
 * Every list is preceded by its length, so the stream determines the state. encodeState and
 * fingerprint are both this walk, so they cannot drift apart; `cpu` visits each CPU (by default
 * visitCpu's words; fingerprint passes a cached digest of them instead).
 */
export function visitState(s: MachineState, w: (x: number) => void, v: (id: number) => void, cpu = (c: CpuState): void => visitCpu(c, w, v)): void {
  w(s.mem.length);
  for (const m of s.mem) v(m);
  w(s.cpus.length);
  for (const c of s.cpus) cpu(c);
  visitLists(s, w, v);
}

/** visitState's part after the CPUs: the faults taken and the quiet remaps. */
function visitLists(s: MachineState, w: (x: number) => void, v: (id: number) => void): void {
  w(s.faults.length);
  for (const f of s.faults) {
    w(f.proc);
    w(f.pc);
    w(f.va);
    w(FAULT_CODES[f.type] ?? -2);
  }
  w(s.remaps.length);
  for (const q of s.remaps) {
    w(q.cpu);
    w(q.va);
    v(q.oldDesc);
    v(q.newDesc);
  }
}

/** visitState's part for one CPU. */
export function visitCpu(c: CpuState, w: (x: number) => void, v: (id: number) => void): void {
  w(c.pc);
  w(c.flags);
  v(c.elr);
  v(c.par);
  w(c.excl);
  w(c.retry);
  w(c.loops.length);
  for (const x of c.loops) w(x);
  w(c.regs.length);
  for (const r of c.regs) v(r);
  w(c.tlb.length);
  for (const e of c.tlb) {
    w(e.va);
    v(e.desc);
    w(e.escProc);
    w(e.escPc);
  }
  w(c.early.length);
  for (const e of c.early) {
    w(e.va);
    v(e.desc);
  }
  w(c.inv.length);
  for (const p of c.inv) {
    w(p.issuer);
    w(p.pc);
    w(p.va);
  }
  w(c.unsynced.length);
  for (const u of c.unsynced) {
    w(u.pc);
    w(u.va);
    w(u.broadcast ? 1 : 0);
  }
  w(c.stale.length);
  for (const r of c.stale) {
    w(r.va);
    v(r.old);
    w(r.synced);
  }
  w(c.hu.length);
  for (const e of c.hu) {
    w(e.va);
    v(e.desc);
    v(e.upd);
    w(e.pc);
  }
  w(c.win.length);
  for (const i of c.win) {
    w(i.pc);
    w(i.stage);
    w(i.cell);
    w(i.va);
    w(FAULT_CODES[i.fault] ?? -2);
    v(i.out);
    w(i.flags);
    w(i.next);
    w(i.clean);
  }
}

/**
 * States as plain data for another thread, a batch at a time: one Int32Array and the values it
 * names. Per state: its memory (a reference word, then the cells unless it is a reference), the
 * CPU count, each CPU (a reference word, then visitCpu's words unless it is a reference), then
 * visitLists's fault and remap words. A reference word k >= 0 means "the k-th memory (or CPU)
 * written in full earlier in this batch", -1 means "written in full here": states of one frontier
 * share most of their memories and CPUs (a step changes one CPU), and the unpacked batch shares
 * them the same way. Value ids are per table, so each is written as an index into
 * `vals`, which the receiver interns in its own table. unpackStates is the inverse.
 */
export interface PackedStates {
  readonly count: number;
  readonly words: Int32Array;
  readonly vals: readonly Val[];
}

/** Packs `states` (values from `table`) for unpackStates in any thread that loaded the same program. */
export function packStates(states: readonly MachineState[], table: ValueTable): PackedStates {
  let words = new Int32Array(1024);
  let n = 0;
  const w = (x: number): void => {
    if (n === words.length) {
      const bigger = new Int32Array(2 * n);
      bigger.set(words);
      words = bigger;
    }
    words[n++] = x;
  };
  const vals: Val[] = [];
  const local = new Map<number, number>();
  const v = (id: number): void => {
    if (id < 0) return w(-1);
    let i = local.get(id);
    if (i === undefined) {
      i = vals.length;
      local.set(id, i);
      vals.push(table.get(id));
    }
    w(i);
  };
  const mems = new Map<readonly number[], number>();
  const cpus = new Map<CpuState, number>();
  for (const s of states) {
    const m = mems.get(s.mem);
    w(m ?? -1);
    if (m === undefined) {
      mems.set(s.mem, mems.size);
      w(s.mem.length);
      for (const x of s.mem) v(x);
    }
    w(s.cpus.length);
    for (const c of s.cpus) {
      const k = cpus.get(c);
      w(k ?? -1);
      if (k === undefined) {
        cpus.set(c, cpus.size);
        visitCpu(c, w, v);
      }
    }
    visitLists(s, w, v);
  }
  return { count: states.length, words: words.slice(0, n), vals };
}

const FAULT_NAMES = Object.fromEntries(Object.entries(FAULT_CODES).map(([k, v]) => [v, k])) as Record<number, string>;

/** The states packed by packStates, their values interned in `table`. */
export function unpackStates(p: PackedStates, table: ValueTable): MachineState[] {
  const ids = p.vals.map((x) => table.intern(x));
  const words = p.words;
  let at = 0;
  const w = (): number => {
    if (at >= words.length) throw new Error('[internal] packed states end early');
    return words[at++] as number;
  };
  const v = (): number => {
    const i = w();
    if (i < 0) return -1;
    const id = ids[i];
    if (id === undefined) throw new Error(`[internal] packed states name value ${i} of ${ids.length}`);
    return id;
  };
  // Built as the machine builds its arrays, so that they have the same elements kinds: by push
  // (Array.from gives arrays of another kind, and a search from such states runs measurably
  // slower), numbers from an array literal that only ever holds small integers, records from
  // another, and an empty list from a literal that never holds anything. An array literal's
  // kind follows everything pushed into arrays made by it: one literal for all three made even
  // lists of numbers and empty lists arrays of objects, so an adopted state's lists differed
  // from the machine's, and every function that had only seen the machine's was deoptimized
  // (with 2 workers, 2.2 times the optimizing compilations of 1).
  const numbers = (item: () => number): number[] => {
    const n = w();
    if (n === 0) return [];
    const out: number[] = [];
    for (let k = n; k > 0; k--) out.push(item());
    return out;
  };
  const list = <T>(item: () => T): T[] => {
    const n = w();
    if (n === 0) return [];
    const out: T[] = [];
    for (let k = n; k > 0; k--) out.push(item());
    return out;
  };
  const fault = (code: number): string => {
    const f = FAULT_NAMES[code];
    if (f === undefined) throw new Error(`[internal] packed state has fault code ${code}`);
    return f;
  };
  const earlier = <T>(seen: readonly T[], k: number): T => {
    const x = seen[k];
    if (x === undefined) throw new Error(`[internal] packed states refer to part ${k} of ${seen.length}`);
    return x;
  };
  const cpu = (): CpuState => {
    const pc = w();
    const flags = w();
    const elr = v();
    const par = v();
    const excl = w();
    const retry = w();
    const loops = numbers(w);
    const regs = numbers(v);
    const tlb = list((): TlbEntry => ({ va: w(), desc: v(), escProc: w(), escPc: w() }));
    const early = list((): EarlyFault => ({ va: w(), desc: v() }));
    const inv = list((): PendingInv => ({ issuer: w(), pc: w(), va: w() }));
    const unsynced = list((): Unsynced => ({ pc: w(), va: w(), broadcast: w() === 1 }));
    const stale = list((): StaleWalk => ({ va: w(), old: v(), synced: w() }));
    const hu = list((): OwedUpdate => ({ va: w(), desc: v(), upd: v(), pc: w() }));
    const win = list((): Inst => ({ pc: w(), stage: w(), cell: w(), va: w(), fault: fault(w()), out: v(), flags: w(), next: w(), clean: w() }));
    return { pc, regs, flags, elr, par, tlb, early, inv, unsynced, stale, excl, retry, win, hu, loops };
  };
  const mems: number[][] = [];
  const cpus: CpuState[] = [];
  const out: MachineState[] = [];
  for (let n = 0; n < p.count; n++) {
    const m = w();
    let mem: number[];
    if (m >= 0) mem = earlier(mems, m);
    else mems.push((mem = numbers(v)));
    const cs = list((): CpuState => {
      const k = w();
      if (k >= 0) return earlier(cpus, k);
      const c = cpu();
      cpus.push(c);
      return c;
    });
    const faults = list((): FaultRec => ({ proc: w(), pc: w(), va: w(), type: fault(w()) as FaultType }));
    const remaps = list((): QuietRemap => ({ cpu: w(), va: w(), oldDesc: v(), newDesc: v() }));
    out.push({ mem, cpus: cs, faults, remaps });
  }
  if (at !== words.length) throw new Error('[internal] packed states have words left over');
  return out;
}

/**
 * The canonical encoding of a state: equal strings iff equal states. Value ids are per-table,
 * so encodings compare only states of the same loaded program.
 */
export function encodeState(s: MachineState): string {
  const out: number[] = [];
  const push = (x: number): void => void out.push(x);
  visitState(s, push, push);
  return out.join(',');
}

/**
 * A 53-bit fingerprint of a state, for the visited set. Value ids are replaced by the content
 * hash of their value (`valueHash`), so the fingerprint does not depend on interning order and is
 * the same in every process (the basis for sharing a visited set between workers).
 *
 * visitState's word stream falls into parts: the memory (its length and cells, and the CPU
 * count), each CPU, the fault list and the remap list. Each part is hashed into a 53-bit digest,
 * which is mixed with the part's position into a 32-bit and a 21-bit lane (laneA, laneB: a
 * bijection for a given position); the fingerprint is the two lanes' sums. A step changes one CPU
 * or so, so a successor's fingerprint costs the digest of what changed and a few additions: a
 * CPU's digest and lanes are memoised per CPU object (see CpuDigests), the memory's per the
 * memory list last met, and a fault or remap list's on the list (LANES). Distinct
 * states collide with probability about n^2 / 2^54 for n states (hash compaction, as in SPIN's
 * hashcompact mode); the sum of position-keyed random lanes is as good a hash as one over the
 * whole stream (Zobrist hashing works the same way).
 *
 * This runs for every transition, so it is visitState written out: the visitor's calls through
 * closures cost about a third of the search (test/model/state.test.ts checks it against the
 * generic walk, fingerprintByVisit).
 */
export function fingerprint(s: MachineState, valueHash: readonly number[]): number {
  return digestsFor(valueHash).fingerprint(s);
}

// The position tags of the parts' lanes: CPU i is i + 1; the memory and the lists come after any CPU.
const TAG_MEM = 0x40000000;
const TAG_FAULTS = 0x40000001;
const TAG_REMAPS = 0x40000002;

// Murmur3's 32-bit finaliser: a bijection that mixes every bit into every other.
function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}

// A part's lanes (see fingerprint), from its 53-bit digest as hi = d / 2^21 and lo = d % 2^21,
// and its position tag: lane a of 32 bits, lane b of 21. For a given tag, (hi, lo) -> (a, b) is
// a bijection: with equal lo, a is a bijection of hi; with equal a, b is a bijection of lo.
function laneA(hi: number, lo: number, tag: number): number {
  return fmix32(((hi ^ Math.imul(tag, 0x9e3779b9)) + Math.imul(lo, 0x85ebca6b)) | 0);
}
function laneB(lo: number, tag: number, a: number): number {
  return (lo ^ (fmix32(a ^ Math.imul(tag, 0x7feb352d)) >>> 11)) & 0x1fffff;
}

// The fingerprint of lane sums a (mod 2^32) and b (mod 2^21).
function fromLanes(a: number, b: number): number {
  return (a >>> 0) * 0x200000 + (b & 0x1fffff);
}

// The 53-bit digest of the memory part: the memory's length and cells, then the CPU count.
function memDigest(mem: readonly number[], cpuCount: number, valueHash: readonly number[]): number {
  const w = words(FP, 2 + mem.length);
  let n = 0;
  w[n++] = mem.length;
  for (let i = 0; i < mem.length; i++) w[n++] = valWord(mem[i] as number, valueHash);
  w[n++] = cpuCount;
  return hashWords(w, n, 0x811c9dc5 | 0, 0x2545f491 | 0);
}

// A fault or remap list (with at least one record) may carry LANES, its part's lanes (see
// fingerprint) packed as lane a * 2^21 + lane b (a unsigned): the lists are shared by the states
// that have them, and a search meets the same few lists over and over in states that differ
// elsewhere. Like a register array's DIGEST, it depends on the program's value hashes (remaps
// name descriptors): a list belongs to the states of one program.
const LANES = Symbol('lanes');
type LanesMemo = { [LANES]?: number };

// The lanes of a fault or remap list part packed into one number (as a fingerprint packs the lane
// sums), from the list's 53-bit digest `d`.
function packedLanes(d: number, tag: number): number {
  const lo = (d | 0) & 0x1fffff;
  const a = laneA((d / 0x200000) | 0, lo, tag);
  return fromLanes(a, laneB(lo, tag, a));
}

// The 53-bit digests of the fault and remap parts: visitLists's words for each list.
function faultsDigest(faults: readonly FaultRec[]): number {
  const w = words(FP, 1 + 4 * faults.length);
  let n = 0;
  w[n++] = faults.length;
  for (let i = 0; i < faults.length; i++) {
    const f = faults[i] as FaultRec;
    w[n++] = f.proc;
    w[n++] = f.pc;
    w[n++] = f.va;
    w[n++] = FAULT_CODES[f.type] ?? -2;
  }
  return hashWords(w, n, 0x6c62272e | 0, 0x1b873593 | 0);
}
function remapsDigest(remaps: readonly QuietRemap[], valueHash: readonly number[]): number {
  const w = words(FP, 1 + 4 * remaps.length);
  let n = 0;
  w[n++] = remaps.length;
  for (let i = 0; i < remaps.length; i++) {
    const q = remaps[i] as QuietRemap;
    w[n++] = q.cpu;
    w[n++] = q.va;
    w[n++] = valWord(q.oldDesc, valueHash);
    w[n++] = valWord(q.newDesc, valueHash);
  }
  return hashWords(w, n, 0x7f4a7c15 | 0, 0x3243f6a8 | 0);
}

// The packed lanes of a fault list, memoised on it (unless it is frozen).
function faultsLanes(faults: readonly FaultRec[]): number {
  if (faults.length === 0) return NO_FAULTS_LANES;
  const memo = (faults as LanesMemo)[LANES];
  if (memo !== undefined) return memo;
  const l = packedLanes(faultsDigest(faults), TAG_FAULTS);
  if (Object.isExtensible(faults)) (faults as LanesMemo)[LANES] = l;
  return l;
}

// The packed lanes of a remap list, memoised likewise.
function remapsLanes(remaps: readonly QuietRemap[], valueHash: readonly number[]): number {
  if (remaps.length === 0) return NO_REMAPS_LANES;
  const memo = (remaps as LanesMemo)[LANES];
  if (memo !== undefined) return memo;
  const l = packedLanes(remapsDigest(remaps, valueHash), TAG_REMAPS);
  if (Object.isExtensible(remaps)) (remaps as LanesMemo)[LANES] = l;
  return l;
}

// The word streams of fingerprint, cpuDigest and regsDigest are written into these buffers (one
// per function: fingerprint calls cpuDigest, which calls regsDigest) and hashed in one loop over
// locals, rather than mixed word by word into module-level running hashes (2% fewer instructions
// over a whole search).
interface Words {
  buf: Int32Array;
}
const FP: Words = { buf: new Int32Array(256) };
const CPU: Words = { buf: new Int32Array(256) };
const REGS: Words = { buf: new Int32Array(64) };

// `at`'s buffer, grown to hold at least `size` words.
function words(at: Words, size: number): Int32Array {
  if (at.buf.length < size) at.buf = new Int32Array(2 * size);
  return at.buf;
}

// The packed lanes of the empty fault and remap lists (most states have them).
const NO_FAULTS_LANES = packedLanes(faultsDigest([]), TAG_FAULTS);
const NO_REMAPS_LANES = packedLanes(remapsDigest([], []), TAG_REMAPS);

// A value id as a word: its content hash (-1 for none).
function valWord(id: number, valueHash: readonly number[]): number {
  return id < 0 ? -1 : (valueHash[id] ?? id);
}

// Two 32-bit multiplicative hashes over w[0..n) from seeds (s1, s2), folded into 53 bits.
function hashWords(w: Int32Array, n: number, s1: number, s2: number): number {
  let h1 = s1;
  let h2 = s2;
  for (let i = 0; i < n; i++) {
    const x = w[i] as number;
    h1 = Math.imul(h1 ^ x, 0x01000193);
    h2 = Math.imul(h2 ^ x, 0x5bd1e995);
    h2 ^= h2 >>> 13;
  }
  const g = h2 ^ (h1 >>> 7);
  return (h1 >>> 0) * 0x200000 + ((Math.imul(g, 0x27d4eb2d) >>> 11) & 0x1fffff);
}

// Memos. CPU digests are kept per CPU object, by object identity, in one CpuDigests per program
// (per value-hash table): in `known` for the CPUs of kept states, which `internCpus` makes shared
// objects (so the memo is bounded by the distinct CPUs a search keeps), and in a ring of the last
// few other CPUs digested (a successor's changed CPU is digested by symmetry's canon and then by
// fingerprint; a ring of 16 scanned before `known` cost 5% of a search). Nothing is stored on
// states or CPU objects: a property added to a CPU object gives it another hidden class, which
// slowed down every step that reads or copies CPUs, and a memo list per state cost more memory
// than the rest of the state (a fifth of the search's time went to the garbage collector copying
// such lists). A register array may carry DIGEST, its own digest; arrays are copied by slice,
// which copies no named property, and an extra property measured no slower on them.
const DIGEST = Symbol('digest');
const RING = 4;

class CpuDigests {
  /** interned CPUs by digest (internCpus) */
  readonly byDigest = new Map<number, CpuState>();
  /** digests of interned CPUs */
  readonly known = new Map<CpuState, number>();
  private readonly ringCpu: (CpuState | undefined)[] = new Array<CpuState | undefined>(RING).fill(undefined);
  private readonly ringDigest: number[] = new Array<number>(RING).fill(0);
  private next = 0;
  // Two ways per position of a state's CPU list (slots 2i and 2i + 1 for position i): the last
  // two CPUs met there, each with its digest, its lanes at that position and whether it was
  // interned; `recent[i]` is the way used last. A search fingerprints a state's successors one
  // after another: they share all CPUs but one with it, and the next successor has the parent's
  // CPU back where the last one changed it, so most asks need no lookup in `known` (a cache miss
  // when the map is large).
  private wayCpu: (CpuState | undefined)[] = [];
  private wayDigest: number[] = [];
  private wayA = new Int32Array(0);
  private wayB = new Int32Array(0);
  private wayInterned = new Uint8Array(0);
  private recent = new Uint8Array(0);
  // The memory part's lanes (see fingerprint) for the memory list last met (the fault and remap
  // lists carry their own: LANES).
  private lastMem: readonly number[] | undefined;
  private lastMemCpus = -1;
  private memA = 0;
  private memB = 0;

  constructor(readonly hashes: readonly number[]) {}

  /** The fingerprint of `s` (see `fingerprint`). */
  fingerprint(s: MachineState): number {
    const cpus = s.cpus;
    const n = cpus.length;
    // (the lanes are written out here and in slot rather than packed by packedLanes and unpacked:
    // that measured 1.3% more instructions over a search)
    if (s.mem !== this.lastMem || n !== this.lastMemCpus) {
      const d = memDigest(s.mem, n, this.hashes);
      const hi = (d / 0x200000) | 0;
      this.memA = laneA(hi, (d | 0) & 0x1fffff, TAG_MEM);
      this.memB = laneB((d | 0) & 0x1fffff, TAG_MEM, this.memA);
      this.lastMem = s.mem;
      this.lastMemCpus = n;
    }
    const f = faultsLanes(s.faults);
    const r = remapsLanes(s.remaps, this.hashes);
    // (the packed lanes' a is their high 32 bits, b their low 21)
    let a = (this.memA + ((f / 0x200000) | 0) + ((r / 0x200000) | 0)) | 0;
    let b = this.memB + ((f | 0) & 0x1fffff) + ((r | 0) & 0x1fffff);
    if (this.wayA.length < 2 * n) this.widen(n);
    for (let i = 0; i < n; i++) {
      const k = this.slot(i, cpus[i] as CpuState);
      a = (a + (this.wayA[k] as number)) | 0;
      b += this.wayB[k] as number;
    }
    return fromLanes(a, b);
  }

  /** The digest of `c`, the CPU at position `i` of a state's list. */
  at(i: number, c: CpuState): number {
    if (this.wayA.length < 2 * (i + 1)) this.widen(i + 1);
    return this.wayDigest[this.slot(i, c)] as number;
  }

  /** Whether `c`, the CPU at position `i` of a state's list, is interned. */
  interned(i: number, c: CpuState): boolean {
    const k = 2 * i;
    if (this.wayCpu[k] === c && this.wayInterned[k] === 1) return true;
    if (this.wayCpu[k + 1] === c && this.wayInterned[k + 1] === 1) return true;
    return this.known.has(c);
  }

  /** Interns `c` (not interned before), the CPU at position `i`, whose digest is `d`. */
  intern(i: number, c: CpuState, d: number): void {
    this.byDigest.set(d, c);
    this.known.set(c, d);
    const k = 2 * i;
    if (this.wayCpu[k] === c) this.wayInterned[k] = 1;
    if (this.wayCpu[k + 1] === c) this.wayInterned[k + 1] = 1;
  }

  of(c: CpuState): number {
    return this.known.get(c) ?? this.unknown(c);
  }

  // The way slot holding `c` at position `i` (the ways must hold position i): found, or filled
  // in place of the way used less recently.
  private slot(i: number, c: CpuState): number {
    const k = 2 * i;
    if (this.wayCpu[k] === c) {
      this.recent[i] = 0;
      return k;
    }
    if (this.wayCpu[k + 1] === c) {
      this.recent[i] = 1;
      return k + 1;
    }
    const w = 1 - (this.recent[i] as number);
    const at = k + w;
    const known = this.known.get(c);
    const d = known ?? this.unknown(c);
    const hi = (d / 0x200000) | 0;
    const lo = (d | 0) & 0x1fffff;
    const a = laneA(hi, lo, i + 1);
    this.wayCpu[at] = c;
    this.wayDigest[at] = d;
    this.wayA[at] = a;
    this.wayB[at] = laneB(lo, i + 1, a);
    this.wayInterned[at] = known === undefined ? 0 : 1;
    this.recent[i] = w;
    return at;
  }

  // Ways for positions 0..n-1 (and the ones held before).
  private widen(n: number): void {
    const grow = <T extends Int32Array | Uint8Array>(old: T, make: (len: number) => T, len: number): T => {
      const out = make(len);
      out.set(old);
      return out;
    };
    this.wayA = grow(this.wayA, (l) => new Int32Array(l), 2 * n);
    this.wayB = grow(this.wayB, (l) => new Int32Array(l), 2 * n);
    this.wayInterned = grow(this.wayInterned, (l) => new Uint8Array(l), 2 * n);
    this.recent = grow(this.recent, (l) => new Uint8Array(l), n);
    while (this.wayCpu.length < 2 * n) {
      this.wayCpu.push(undefined);
      this.wayDigest.push(0);
    }
  }

  // The digest of a CPU not interned: one of the last few asked for, or computed.
  private unknown(c: CpuState): number {
    const ring = this.ringCpu;
    for (let i = 0; i < RING; i++) if (ring[i] === c) return this.ringDigest[i] as number;
    const d = cpuDigest(c, this.hashes);
    const k = this.next;
    ring[k] = c;
    this.ringDigest[k] = d;
    this.next = (k + 1) % RING;
    return d;
  }
}

const CACHES = new WeakMap<readonly number[], CpuDigests>();
let lastHashes: readonly number[] | undefined;
let lastCache: CpuDigests | undefined;

function digestsFor(valueHash: readonly number[]): CpuDigests {
  if (valueHash === lastHashes && lastCache !== undefined) return lastCache;
  let c = CACHES.get(valueHash);
  if (c === undefined) {
    c = new CpuDigests(valueHash);
    CACHES.set(valueHash, c);
  }
  lastHashes = valueHash;
  lastCache = c;
  return c;
}

/** The digest of CPU `c` (a CPU of a state of the program whose value hashes are `valueHash`), memoised as above. */
export function cpuDigestOf(c: CpuState, valueHash: readonly number[]): number {
  return digestsFor(valueHash).of(c);
}

/** A 53-bit digest of one CPU's part of a state, as `fingerprint` uses it: visitCpu's walk, written out. */
export function cpuDigest(c: CpuState, valueHash: readonly number[]): number {
  const { loops, regs, tlb, early, inv, unsynced, stale, hu, win } = c;
  const w = words(CPU, 17 + loops.length + 4 * tlb.length + 2 * early.length + 3 * inv.length + 3 * unsynced.length + 3 * stale.length + 4 * hu.length + 9 * win.length);
  let n = 0;
  w[n++] = c.pc;
  w[n++] = c.flags;
  w[n++] = valWord(c.elr, valueHash);
  w[n++] = valWord(c.par, valueHash);
  w[n++] = c.excl;
  w[n++] = c.retry;
  w[n++] = loops.length;
  for (let i = 0; i < loops.length; i++) w[n++] = loops[i] as number;
  w[n++] = regs.length;
  const r = regsDigest(regs, valueHash);
  w[n++] = (r / 0x200000) | 0;
  w[n++] = (r | 0) & 0x1fffff; // r % 0x200000 (see fingerprint)
  w[n++] = tlb.length;
  for (let i = 0; i < tlb.length; i++) {
    const e = tlb[i] as TlbEntry;
    w[n++] = e.va;
    w[n++] = valWord(e.desc, valueHash);
    w[n++] = e.escProc;
    w[n++] = e.escPc;
  }
  w[n++] = early.length;
  for (let i = 0; i < early.length; i++) {
    const e = early[i] as EarlyFault;
    w[n++] = e.va;
    w[n++] = valWord(e.desc, valueHash);
  }
  w[n++] = inv.length;
  for (let i = 0; i < inv.length; i++) {
    const p = inv[i] as PendingInv;
    w[n++] = p.issuer;
    w[n++] = p.pc;
    w[n++] = p.va;
  }
  w[n++] = unsynced.length;
  for (let i = 0; i < unsynced.length; i++) {
    const u = unsynced[i] as Unsynced;
    w[n++] = u.pc;
    w[n++] = u.va;
    w[n++] = u.broadcast ? 1 : 0;
  }
  w[n++] = stale.length;
  for (let i = 0; i < stale.length; i++) {
    const x = stale[i] as StaleWalk;
    w[n++] = x.va;
    w[n++] = valWord(x.old, valueHash);
    w[n++] = x.synced;
  }
  w[n++] = hu.length;
  for (let i = 0; i < hu.length; i++) {
    const e = hu[i] as OwedUpdate;
    w[n++] = e.va;
    w[n++] = valWord(e.desc, valueHash);
    w[n++] = valWord(e.upd, valueHash);
    w[n++] = e.pc;
  }
  w[n++] = win.length;
  for (let i = 0; i < win.length; i++) {
    const x = win[i] as Inst;
    w[n++] = x.pc;
    w[n++] = x.stage;
    w[n++] = x.cell;
    w[n++] = x.va;
    w[n++] = FAULT_CODES[x.fault] ?? -2;
    w[n++] = valWord(x.out, valueHash);
    w[n++] = x.flags;
    w[n++] = x.next;
    w[n++] = x.clean;
  }
  return hashWords(w, n, 0x3c6ef372 | 0, 0x6a09e667 | 0);
}

/**
 * A 53-bit digest of a register file, cached on the array: a step that writes no register keeps
 * its CPU's array, so most new CPUs hash their registers as one word.
 */
function regsDigest(regs: readonly number[], valueHash: readonly number[]): number {
  const memo = (regs as { [DIGEST]?: number })[DIGEST];
  if (memo !== undefined) return memo;
  const w = words(REGS, regs.length);
  for (let i = 0; i < regs.length; i++) w[i] = valWord(regs[i] as number, valueHash);
  const d = hashWords(w, regs.length, 0x510e527f | 0, 0x1f83d9ab | 0);
  (regs as { [DIGEST]?: number })[DIGEST] = d;
  return d;
}

/**
 * fingerprint as the generic walk (visitState) computes it: the reference the written-out
 * version is tested against.
 */
export function fingerprintByVisit(s: MachineState, valueHash: readonly number[]): number {
  // a 53-bit digest of a word list from seeds (s1, s2), as hashWords computes it
  const digest = (ws: readonly number[], s1: number, s2: number): number => {
    let h1 = s1 | 0;
    let h2 = s2 | 0;
    for (const x of ws) {
      h1 = Math.imul(h1 ^ x, 0x01000193);
      h2 = Math.imul(h2 ^ x, 0x5bd1e995);
      h2 ^= h2 >>> 13;
    }
    return (h1 >>> 0) * 0x200000 + ((Math.imul(h2 ^ (h1 >>> 7), 0x27d4eb2d) >>> 11) & 0x1fffff);
  };
  let a = 0;
  let b = 0;
  const add = (d: number, tag: number): void => {
    const hi = Math.floor(d / 0x200000) | 0;
    const lo = d % 0x200000;
    const la = laneA(hi, lo, tag);
    a = (a + la) | 0;
    b = (b + laneB(lo, tag, la)) | 0;
  };
  // the words outside the CPUs: the memory part (lengths and cells), then the fault list's and the remap list's parts
  const top: number[] = [];
  const v = (id: number): number => (id < 0 ? -1 : (valueHash[id] ?? id));
  let position = 0;
  visitState(
    s,
    (x) => void top.push(x),
    (id) => void top.push(v(id)),
    (c) => {
      // visitCpu's words, except that the registers enter as their own digest, as in cpuDigest
      const words: number[] = [];
      visitCpu(c, (x) => void words.push(x), (id) => void words.push(v(id)));
      const at = 8 + c.loops.length; // past pc flags elr par excl retry, the loops (count and items) and the register count
      const r = digest(words.slice(at, at + c.regs.length), 0x510e527f, 0x1f83d9ab);
      add(digest([...words.slice(0, at), Math.floor(r / 0x200000) | 0, r % 0x200000, ...words.slice(at + c.regs.length)], 0x3c6ef372, 0x6a09e667), ++position);
    },
  );
  const memWords = 2 + s.mem.length;
  const faultWords = 1 + 4 * s.faults.length;
  add(digest(top.slice(0, memWords), 0x811c9dc5, 0x2545f491), TAG_MEM);
  add(digest(top.slice(memWords, memWords + faultWords), 0x6c62272e, 0x1b873593), TAG_FAULTS);
  add(digest(top.slice(memWords + faultWords), 0x7f4a7c15, 0x3243f6a8), TAG_REMAPS);
  return fromLanes(a, b);
}

// Record builders. Every CPU, state and in-flight instruction a step makes is built by one of
// these literals, so all have one hidden class with every field in the object. An object spread
// ({ ...c, pc }) makes V8 build a second kind of object, with most fields in a separate array,
// and once a spread site has seen several kinds it copies through the runtime: measured at about
// 360 ns per copy against 20 ns for cpuWith, on the machine's own CPU objects.

/** `c` with the fields of `ch` replaced. */
export function cpuWith(c: CpuState, ch: Partial<CpuState>): CpuState {
  const n: { -readonly [K in keyof CpuState]: CpuState[K] } = {
    pc: c.pc,
    regs: c.regs,
    flags: c.flags,
    elr: c.elr,
    par: c.par,
    tlb: c.tlb,
    early: c.early,
    inv: c.inv,
    unsynced: c.unsynced,
    stale: c.stale,
    excl: c.excl,
    retry: c.retry,
    win: c.win,
    hu: c.hu,
    loops: c.loops,
  };
  // Call sites pass a few dozen kinds of `ch`: reading all 15 fields by name was a megamorphic
  // load each (9% of the instructions of a search); a for-in reads only the fields `ch` has, and
  // the switch stores each by name into the one kind of CPU object (a keyed store would be
  // megamorphic again).
  for (const k in ch) {
    const v = ch[k as keyof CpuState];
    switch (k as keyof CpuState) {
      case 'pc':
        n.pc = v as number;
        break;
      case 'regs':
        n.regs = v as CpuState['regs'];
        break;
      case 'flags':
        n.flags = v as number;
        break;
      case 'elr':
        n.elr = v as number;
        break;
      case 'par':
        n.par = v as number;
        break;
      case 'tlb':
        n.tlb = v as CpuState['tlb'];
        break;
      case 'early':
        n.early = v as CpuState['early'];
        break;
      case 'inv':
        n.inv = v as CpuState['inv'];
        break;
      case 'unsynced':
        n.unsynced = v as CpuState['unsynced'];
        break;
      case 'stale':
        n.stale = v as CpuState['stale'];
        break;
      case 'excl':
        n.excl = v as number;
        break;
      case 'retry':
        n.retry = v as number;
        break;
      case 'win':
        n.win = v as CpuState['win'];
        break;
      case 'hu':
        n.hu = v as CpuState['hu'];
        break;
      case 'loops':
        n.loops = v as CpuState['loops'];
        break;
    }
  }
  return n;
}

/** Whether two CPUs are equal (field by field; the record lists element by element). */
export function sameCpu(a: CpuState, b: CpuState): boolean {
  if (a === b) return true;
  return (
    a.pc === b.pc &&
    a.flags === b.flags &&
    a.elr === b.elr &&
    a.par === b.par &&
    a.excl === b.excl &&
    a.retry === b.retry &&
    sameNumbers(a.regs, b.regs) &&
    sameRecords(a.tlb, b.tlb) &&
    sameRecords(a.early, b.early) &&
    sameRecords(a.inv, b.inv) &&
    sameRecords(a.unsynced, b.unsynced) &&
    sameRecords(a.stale, b.stale) &&
    sameRecords(a.win, b.win) &&
    sameRecords(a.hu, b.hu) &&
    sameNumbers(a.loops, b.loops)
  );
}

function sameNumbers(a: readonly number[], b: readonly number[]): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

// Lists of flat records (numbers and strings only), as CpuState holds them.
function sameRecords(a: readonly object[], b: readonly object[]): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const x = a[i] as Record<string, unknown>;
    const y = b[i] as Record<string, unknown>;
    if (x === y) continue;
    for (const k in x) if (x[k] !== y[k]) return false;
  }
  return true;
}

/**
 * Makes the CPUs of kept states shared objects: each CPU of `s` equal to one interned before (by
 * digest, then field by field) is replaced by it in place, and the others are interned, with
 * their digests memoised (CpuDigests). Many states of a search have equal CPUs built by
 * different steps; shared, they take memory once, and the garbage collector copies them once
 * instead of with every state. Replacing a CPU by an equal one in place is safe even in a list
 * another state shares: nothing in a state depends on which of two equal objects it holds
 * (identity is only ever a shortcut for equality).
 */
export function internCpus(s: MachineState, valueHash: readonly number[]): void {
  const digests = digestsFor(valueHash);
  const cpus = s.cpus as CpuState[];
  for (let i = 0; i < cpus.length; i++) {
    const c = cpus[i] as CpuState;
    if (digests.interned(i, c)) continue;
    const d = digests.at(i, c);
    const have = digests.byDigest.get(d);
    if (have === undefined) digests.intern(i, c, d);
    else if (sameCpu(have, c)) cpus[i] = have;
  }
}

/**
 * States as a few words each, for a search's frontier (explorer/word-frontier.ts): the CPU count,
 * then numbers naming the memory, fault list, remap list and each CPU in tables of the distinct
 * ones seen, which decode shares among the states it rebuilds. CPUs are named by object: encode
 * states whose CPUs are interned (internCpus), or each CPU object encoded stays in the table.
 * Lists are named by content (a list equal to the last one encoded by object).
 */
export class StateWords {
  private readonly cpuIds = new Map<CpuState, number>();
  private readonly cpus: CpuState[] = [];
  private readonly mems = new ListTable<number>((m) => m.join(','));
  private readonly faults = new ListTable<FaultRec>(faultListKey);
  private readonly remaps = new ListTable<QuietRemap>((qs) => qs.map((q) => `${q.cpu}:${q.va}:${q.oldDesc}:${q.newDesc}`).join(';'));
  private readonly buf: number[] = [];
  // The CPU encoded last at each position, and its number: states encoded one after another are
  // mostly siblings, which share all CPUs but one (a lookup in cpuIds is a cache miss when the
  // table is large).
  private readonly lastCpu: (CpuState | undefined)[] = [];
  private readonly lastId: number[] = [];

  encode(s: MachineState): ArrayLike<number> {
    const w = this.buf;
    const n = s.cpus.length;
    // (every state of a program has as many CPUs: the length is set once, not per call, as
    // setting an array's length is a call into the runtime)
    if (w.length !== 4 + n) w.length = 4 + n;
    w[0] = n;
    w[1] = this.mems.id(s.mem);
    w[2] = this.faults.id(s.faults);
    w[3] = this.remaps.id(s.remaps);
    for (let i = 0; i < n; i++) {
      const c = s.cpus[i] as CpuState;
      if (c === this.lastCpu[i]) {
        w[4 + i] = this.lastId[i] as number;
        continue;
      }
      const id = this.cpuId(c);
      this.lastCpu[i] = c;
      this.lastId[i] = id;
      w[4 + i] = id;
    }
    return w;
  }

  /** The number naming CPU `c` (numbered now if it is new). */
  cpuId(c: CpuState): number {
    let id = this.cpuIds.get(c);
    if (id === undefined) {
      id = this.cpus.length;
      this.cpus.push(c);
      this.cpuIds.set(c, id);
    }
    return id;
  }

  /** The numbers naming a memory, a fault list and a remap list (numbered now if new). */
  memId(mem: readonly number[]): number {
    return this.mems.id(mem);
  }
  faultsId(faults: readonly FaultRec[]): number {
    return this.faults.id(faults);
  }
  remapsId(remaps: readonly QuietRemap[]): number {
    return this.remaps.id(remaps);
  }

  /** The parts named by numbers (encode's words). */
  cpuAt(id: number): CpuState {
    const c = this.cpus[id];
    if (c === undefined) throw new Error(`[internal] no CPU ${id}`);
    return c;
  }
  memAt(id: number): readonly number[] {
    return this.mems.get(id);
  }
  faultsAt(id: number): readonly FaultRec[] {
    return this.faults.get(id);
  }
  remapsAt(id: number): readonly QuietRemap[] {
    return this.remaps.get(id);
  }

  /**
   * The states encoded at `at` in `words` (by this table) as data for another thread's
   * unpackEncoded, without rebuilding them: each state as indices into a dictionary of the
   * distinct memories, fault lists, remap lists and CPUs (per position) that its words name, and
   * the dictionary as a few carrier states packed by packStates (carrier j holds the j-th
   * distinct part of each kind, or the last one where a kind has fewer). Moving a frontier state
   * between partitions as a packed state, the receiver built, interned and numbered its parts
   * once per state; here it does so once per distinct part.
   */
  packEncoded(words: Int32Array, at: readonly number[], table: ValueTable): PackedEncoded {
    const count = at.length;
    const n = count === 0 ? 0 : (words[at[0] as number] as number);
    const width = 4 + n;
    const kinds = width - 1;
    const ids = new Int32Array(count * kinds);
    // per kind (0 memory, 1 faults, 2 remaps, 3 + p the CPU at position p): the dictionary index
    // of each of this table's numbers, and the numbers in dictionary order
    const index: Map<number, number>[] = [];
    const parts: number[][] = [];
    for (let c = 0; c < kinds; c++) {
      index.push(new Map());
      parts.push([]);
    }
    for (let k = 0; k < count; k++) {
      const from = at[k] as number;
      if (words[from] !== n) throw new Error(`[internal] packEncoded: states with ${n} and ${words[from]} CPUs`);
      for (let c = 0; c < kinds; c++) {
        const id = words[from + 1 + c] as number;
        const kind = index[c] as Map<number, number>;
        let i = kind.get(id);
        if (i === undefined) {
          i = (parts[c] as number[]).push(id) - 1;
          kind.set(id, i);
        }
        ids[k * kinds + c] = i;
      }
    }
    const carriers: MachineState[] = [];
    const size = Math.max(0, ...parts.map((ps) => ps.length));
    for (let j = 0; j < size; j++) {
      const pick = (c: number): number => {
        const ps = parts[c] as number[];
        return ps[Math.min(j, ps.length - 1)] as number;
      };
      const cpus: CpuState[] = [];
      for (let p = 0; p < n; p++) cpus.push(this.cpus[pick(3 + p)] as CpuState);
      carriers.push({ mem: this.mems.get(pick(0)), cpus, faults: this.faults.get(pick(1)), remaps: this.remaps.get(pick(2)) });
    }
    return { count, width, ids, dict: packStates(carriers, table) };
  }

  /**
   * The states of a packEncoded batch encoded by this table, one after another (each `width`
   * words); their CPUs are interned (internCpus), as a search keeps states.
   */
  unpackEncoded(p: PackedEncoded, table: ValueTable, valueHash: readonly number[]): Int32Array {
    const width = p.width;
    const kinds = width - 1;
    // this table's number of each dictionary entry, per kind
    const mine: number[][] = [];
    for (let c = 0; c < kinds; c++) mine.push([]);
    for (const carrier of unpackStates(p.dict, table)) {
      internCpus(carrier, valueHash);
      const w = this.encode(carrier);
      if (w.length !== width) throw new Error(`[internal] unpackEncoded: a carrier of ${w.length} words for states of ${width}`);
      for (let c = 0; c < kinds; c++) (mine[c] as number[]).push(w[1 + c] as number);
    }
    const out = new Int32Array(p.count * width);
    for (let k = 0; k < p.count; k++) {
      const base = k * width;
      out[base] = width - 4;
      for (let c = 0; c < kinds; c++) {
        const entry = p.ids[k * kinds + c] as number;
        const id = (mine[c] as number[])[entry];
        if (id === undefined) throw new Error(`[internal] unpackEncoded: state ${k} names dictionary entry ${entry} of ${(mine[c] as number[]).length}`);
        out[base + 1 + c] = id;
      }
    }
    return out;
  }

  decode(words: Int32Array, at: number): MachineState {
    const n = words[at] as number;
    const cpus: CpuState[] = new Array<CpuState>(n);
    for (let i = 0; i < n; i++) cpus[i] = this.cpus[words[at + 4 + i] as number] as CpuState;
    return { mem: this.mems.get(words[at + 1] as number), cpus, faults: this.faults.get(words[at + 2] as number), remaps: this.remaps.get(words[at + 3] as number) };
  }
}

/**
 * Fingerprints (`fingerprint`'s, equal to them) of states given as a StateWords table's words.
 * Each part's lanes are computed once per number naming it (a CPU's once per number and
 * position), so a state's fingerprint is a few additions, and a successor that differs from its
 * parent in a part or two costs their lanes' differences (`lists` and the parts' lanes, then
 * `key`).
 */
export class WordKeys {
  // per position: the lanes of each CPU number there
  private readonly cpus: PartLanes[] = [];
  private mems: PartLanes | undefined;
  /** the lanes of each fault list and remap list number */
  readonly faults: PartLanes;
  readonly remaps: PartLanes;
  /** the lane sums `lists` gave last */
  a = 0;
  b = 0;

  constructor(
    private readonly table: StateWords,
    private readonly hashes: readonly number[],
  ) {
    this.faults = new PartLanes((id) => faultsLanes(table.faultsAt(id)));
    this.remaps = new PartLanes((id) => remapsLanes(table.remapsAt(id), hashes));
  }

  /** Sums the lanes of the memory, fault list and remap list of the state at `at` (no CPU's) into `a` and `b`. */
  lists(words: Int32Array, at: number): void {
    // (the memory part's digest takes in the CPU count, the same for every state of a program)
    const n = words[at] as number;
    const mems = (this.mems ??= new PartLanes((id) => packedLanes(memDigest(this.table.memAt(id), n, this.hashes), TAG_MEM)));
    const mem = words[at + 1] as number;
    const f = words[at + 2] as number;
    const r = words[at + 3] as number;
    this.a = (mems.a(mem) + this.faults.a(f) + this.remaps.a(r)) | 0;
    this.b = mems.b(mem) + this.faults.b(f) + this.remaps.b(r);
  }

  /** The lanes of each CPU number at position `pos`. */
  cpusAt(pos: number): PartLanes {
    while (this.cpus.length <= pos) {
      const tag = this.cpus.length + 1;
      this.cpus.push(new PartLanes((id) => packedLanes(cpuDigestOf(this.table.cpuAt(id), this.hashes), tag)));
    }
    return this.cpus[pos] as PartLanes;
  }

  /** The fingerprint of lane sums a and b (after adding and taking away parts' lanes). */
  static key(a: number, b: number): number {
    return fromLanes(a, b);
  }
}

/** The lanes (see fingerprint) of each number naming a part of one kind, computed once from its packed lanes. */
export class PartLanes {
  // lanes a and b of each number, interleaved; b is -1 where they are not computed yet
  private lanes: Int32Array = new Int32Array(0);

  constructor(private readonly packed: (id: number) => number) {}

  // (each finds the slot first: it may replace the array with a bigger one)
  a(id: number): number {
    const k = this.slot(id);
    return this.lanes[k] as number;
  }
  b(id: number): number {
    const k = this.slot(id);
    return this.lanes[k + 1] as number;
  }

  private slot(id: number): number {
    const k = 2 * id;
    if (k + 1 < this.lanes.length && this.lanes[k + 1] !== -1) return k;
    if (k + 1 >= this.lanes.length) {
      const out = new Int32Array(Math.max(2 * this.lanes.length, k + 64)).fill(-1);
      out.set(this.lanes);
      this.lanes = out;
    }
    const p = this.packed(id);
    this.lanes[k] = (p / 0x200000) | 0;
    this.lanes[k + 1] = (p | 0) & 0x1fffff;
    return k;
  }
}

// A fault list's content as a string: a character per field while they are small (a new fault
// list comes with most fault steps, and template strings joined cost the frontier a few percent),
// else the fields written out after a character the first kind never holds (U+FFFF).
function faultListKey(fs: readonly FaultRec[]): string {
  let k = '';
  for (let i = 0; i < fs.length; i++) {
    const f = fs[i] as FaultRec;
    const code = FAULT_CODES[f.type] ?? 6;
    if (f.proc >= 0xd000 || f.pc >= 0xd000 || f.va + 1 >= 0xd000 || f.proc < 0 || f.pc < 0 || f.va < -1) return `\uffff${fs.map((g) => `${g.proc}:${g.pc}:${g.va}:${g.type}`).join(';')}`;
    k += String.fromCharCode(f.proc, f.pc, f.va + 1, code);
  }
  return k;
}

// Distinct lists by content, each numbered; a list numbered before is recognised by object
// (states share their lists with their parents, so most are).
class ListTable<T> {
  private readonly byKey = new Map<string, number>();
  private readonly byObject = new WeakMap<readonly T[], number>();
  private readonly lists: (readonly T[])[] = [];
  // the list numbered last: siblings share their parent's lists, so most calls ask for it again
  private last: readonly T[] | undefined;
  private lastId = -1;

  constructor(private readonly key: (list: readonly T[]) => string) {}

  id(list: readonly T[]): number {
    if (list === this.last) return this.lastId;
    let id = this.byObject.get(list);
    if (id === undefined) id = this.number(list);
    this.last = list;
    this.lastId = id;
    return id;
  }

  private number(list: readonly T[]): number {
    const k = this.key(list);
    let id = this.byKey.get(k);
    if (id === undefined) {
      id = this.lists.length;
      this.lists.push(list);
      this.byKey.set(k, id);
    }
    this.byObject.set(list, id);
    return id;
  }

  get(id: number): readonly T[] {
    const l = this.lists[id];
    if (l === undefined) throw new Error(`[internal] no list ${id}`);
    return l;
  }
}

/** Encoded states as data for another thread (StateWords.packEncoded). */
export interface PackedEncoded {
  readonly count: number;
  /** words per state (4 + its CPU count) */
  readonly width: number;
  /** per state, width - 1 words: the dictionary index of its memory, fault list, remap list and each CPU */
  readonly ids: Int32Array;
  /** the dictionary: carrier states, whose j-th holds the j-th entry of each kind */
  readonly dict: PackedStates;
}

/** `s` with the fields of `ch` replaced. */
export function stateWith(s: MachineState, ch: Partial<MachineState>): MachineState {
  return { mem: ch.mem ?? s.mem, cpus: ch.cpus ?? s.cpus, faults: ch.faults ?? s.faults, remaps: ch.remaps ?? s.remaps };
}

/** `x` with the fields of `ch` replaced. */
export function instWith(x: Inst, ch: Partial<Inst>): Inst {
  return {
    pc: ch.pc ?? x.pc,
    stage: ch.stage ?? x.stage,
    cell: ch.cell ?? x.cell,
    va: ch.va ?? x.va,
    fault: ch.fault ?? x.fault,
    out: ch.out ?? x.out,
    flags: ch.flags ?? x.flags,
    next: ch.next ?? x.next,
    clean: ch.clean ?? x.clean,
  };
}
