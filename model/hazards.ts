// Hazards: amalgamation (a break-before-make violation observable by some CPU) and stale-TLB use
// (an access through an entry a TLBI of the program was meant to remove).

import type { AccessEvent } from './machine.js';
import { pageCells, pteCell, type Program } from './program.js';
import type { CpuState, MachineState, QuietRemap } from './state.js';
import { formatDesc, type Desc } from './values.js';

/** A hazard's identity and description. `key` is one per kind, CPU and address. */
export interface Hazard {
  readonly kind: 'amalgamation' | 'stale-tlb';
  readonly cpu: number;
  /** variable name of the virtual address */
  readonly va: string;
  readonly message: string;
}

function descOf(prog: Program, id: number): Desc | undefined {
  const x = prog.values.get(id);
  return x.k === 'desc' ? x.d : undefined;
}

/**
 * Whether replacing translation `a` by `b` needs break-before-make (Arm ARM D8.16.1
 * "Using break-before-make when updating translation table entries"; herd's aarch64bbm.cat):
 * a change of output address when either mapping is writable or the two pages' contents differ,
 * or a change of memory attributes. A permission-only or access/dirty-flag change does not.
 */
export function needsBreakBeforeMake(prog: Program, s: MachineState, a: Desc, b: Desc): boolean {
  if (a.attrs !== b.attrs) return true;
  if (a.oa === b.oa) return false;
  // herd (writable2): dirty, or clean but hardware may make it dirty (dbm with TTHM=HD).
  const hd = prog.threads.some((t) => t.hd);
  const writable = (d: Desc): boolean => d.db === 1 || (d.dbm === 1 && hd);
  if (writable(a) || writable(b)) return true;
  if (a.oa < 0 || b.oa < 0) return true;
  return !samePage(prog, s, a.oa, b.oa);
}

/** Whether the pages of variables `a` and `b` hold the same data (every array element). */
function samePage(prog: Program, s: MachineState, a: number, b: number): boolean {
  const ca = pageCells(prog, a);
  const cb = pageCells(prog, b);
  if (ca.length !== cb.length) return false;
  return ca.every((c, i) => s.mem[c] === s.mem[cb[i] as number]);
}

/**
 * Translations `cpu` can use for a VA other than memory's: its TLB entries and its own
 * not-yet-visible stores' old values. An entry whose hardware update (Access flag or dirty state) is still owed
 * does not count yet: if memory changes first, that update can never happen and the run is not
 * an execution.
 */
function heldTranslations(c: CpuState): { va: number; desc: number; how: string }[] {
  const owed = (va: number, desc: number): boolean => c.hu.some((h) => h.va === va && h.upd === desc);
  return [
    ...c.tlb.filter((e) => !owed(e.va, e.desc)).map((e) => ({ va: e.va, desc: e.desc, how: 'holds a TLB entry' })),
    ...c.stale.map((r) => ({ va: r.va, desc: r.old, how: 'can still walk (its own store is not yet visible to its walker)' })),
  ];
}

/**
 * Whether `c` holds a cacheable translation other than memory's, while memory's is cacheable
 * too: what heldTranslations would have to give for quietRemaps or stateHazards to find anything
 * (both skip other pairs). The usual answer is no, so this runs first and allocates nothing.
 */
export function holdsOther(prog: Program, c: CpuState, mem: readonly number[]): boolean {
  for (let i = 0; i < c.tlb.length; i++) {
    const e = c.tlb[i] as CpuState['tlb'][number];
    if (differsCacheable(prog, mem, e.va, e.desc)) return true;
  }
  for (let i = 0; i < c.stale.length; i++) {
    const r = c.stale[i] as CpuState['stale'][number];
    if (differsCacheable(prog, mem, r.va, r.old)) return true;
  }
  return false;
}

function differsCacheable(prog: Program, mem: readonly number[], va: number, desc: number): boolean {
  const memId = mem[pteCell(va)] ?? 0;
  return memId !== desc && cacheable(descOf(prog, desc)) && cacheable(descOf(prog, memId));
}

const NONE: readonly QuietRemap[] = Object.freeze([]);
const NO_HAZARDS: readonly Hazard[] = Object.freeze([]);

// Only TLB-cacheable descriptors count (herd's aarch64bbm.cat: TLBCacheableTTD excludes
// invalid and af:0 descriptors, whatever TTHM says; a walk that sets AF writes memory first).
function cacheable(d: Desc | undefined): d is Desc {
  return d !== undefined && d.valid === 1 && d.af === 1;
}

/**
 * Read-only remaps with equal contents that some CPU can observe in `s` (see QuietRemap); with
 * `only`, those of the CPUs for which it returns true.
 */
export function quietRemaps(prog: Program, s: MachineState, only?: (cpu: number) => boolean): readonly QuietRemap[] {
  let out: QuietRemap[] | undefined;
  for (let cpu = 0; cpu < s.cpus.length; cpu++) {
    const c = s.cpus[cpu] as CpuState;
    if ((only !== undefined && !only(cpu)) || !holdsOther(prog, c, s.mem)) continue;
    for (const h of heldTranslations(c)) {
      const memId = s.mem[pteCell(h.va)] ?? 0;
      if (memId === h.desc) continue;
      const a = descOf(prog, h.desc);
      const b = descOf(prog, memId);
      if (!cacheable(a) || !cacheable(b) || a.oa === b.oa || a.attrs !== b.attrs) continue;
      if (needsBreakBeforeMake(prog, s, a, b)) continue;
      (out ??= []).push({ cpu, va: h.va, oldDesc: h.desc, newDesc: memId });
    }
  }
  return out ?? NONE;
}

/** Amalgamation hazards that hold in `s`: a CPU can translate a VA by an entry that conflicts with memory. */
export function stateHazards(prog: Program, s: MachineState): readonly Hazard[] {
  // (the usual answer, none, without allocating: this runs for every state of a search)
  if (s.remaps.length === 0) {
    let any = false;
    for (let i = 0; i < s.cpus.length && !any; i++) any = holdsOther(prog, s.cpus[i] as CpuState, s.mem);
    if (!any) return NO_HAZARDS;
  }
  const out: Hazard[] = [];
  const name = (v: number): string => prog.vars[v] ?? `?${v}`;
  for (const q of s.remaps) {
    const a = descOf(prog, q.oldDesc);
    const b = descOf(prog, q.newDesc);
    if (a === undefined || b === undefined || (a.oa < 0 && b.oa < 0) || (a.oa >= 0 && b.oa >= 0 && samePage(prog, s, a.oa, b.oa))) continue;
    if (out.some((h) => h.cpu === q.cpu && h.va === name(q.va))) continue;
    out.push({
      kind: 'amalgamation',
      cpu: q.cpu,
      va: name(q.va),
      message: `P${q.cpu} could translate ${name(q.va)} by ${formatDesc(a, name)} while PTE(${name(q.va)}) held ${formatDesc(b, name)}; both read-only with equal contents then, but the two pages' contents now differ, so that remap needed a break`,
    });
  }
  s.cpus.forEach((c, cpu) => {
    if (!holdsOther(prog, c, s.mem)) return;
    const held = heldTranslations(c);
    const done = new Set<number>();
    for (const h of held) {
      if (done.has(h.va)) continue;
      const memId = s.mem[pteCell(h.va)] ?? 0;
      if (memId === h.desc) continue;
      const a = descOf(prog, h.desc);
      const b = descOf(prog, memId);
      if (!cacheable(a) || !cacheable(b)) continue;
      if (!needsBreakBeforeMake(prog, s, a, b)) continue;
      done.add(h.va);
      out.push({ kind: 'amalgamation', cpu, va: name(h.va), message: heldMessage(prog, cpu, h.how, h.va, h.desc, memId) });
    }
  });
  return out;
}

// Messages of held-translation hazards, per program and (CPU, how, va, descriptors): a test that
// has one has it in many states, and formatting it each time was a few percent of such a search.
const MESSAGES = new WeakMap<Program, Map<string, string>>();

function heldMessage(prog: Program, cpu: number, how: string, va: number, held: number, memId: number): string {
  let memo = MESSAGES.get(prog);
  if (memo === undefined) {
    memo = new Map();
    MESSAGES.set(prog, memo);
  }
  const key = `${cpu} ${va} ${held} ${memId} ${how}`;
  let m = memo.get(key);
  if (m === undefined) {
    const name = (v: number): string => prog.vars[v] ?? `?${v}`;
    m = `P${cpu} ${how} ${formatDesc(descOf(prog, held) as Desc, name)} for ${name(va)} while PTE(${name(va)}) holds ${formatDesc(descOf(prog, memId) as Desc, name)}: both translations are usable without a break`;
    memo.set(key, m);
  }
  return m;
}

/** Stale-TLB hazards of one step: an access through an entry that escaped a completed TLBI and no longer matches memory. */
export function accessHazards(prog: Program, s: MachineState, events: readonly AccessEvent[]): Hazard[] {
  const out: Hazard[] = [];
  const name = (v: number): string => prog.vars[v] ?? `?${v}`;
  for (const e of events) {
    const entry = e.entry;
    if (entry === undefined || entry.escProc < 0) continue;
    const memId = s.mem[pteCell(e.va)] ?? 0;
    if (memId === entry.desc) continue;
    const a = descOf(prog, entry.desc);
    const b = descOf(prog, memId);
    if (a === undefined || b === undefined) continue;
    const slot = prog.threads[e.cpu]?.code[e.pc];
    const tlbi = prog.threads[entry.escProc]?.code[entry.escPc];
    out.push({
      kind: 'stale-tlb',
      cpu: e.cpu,
      va: name(e.va),
      message:
        `P${e.cpu} '${slot?.instr.text ?? '?'}' translated ${name(e.va)} by a stale entry ${formatDesc(a, name)} ` +
        `(PTE(${name(e.va)}) now ${formatDesc(b, name)}) that escaped P${entry.escProc}'s '${tlbi?.instr.text ?? 'TLBI'}'`,
    });
  }
  return out;
}
