// A loaded test: instructions decoded, names resolved to indices, initial memory and registers
// built. This is everything the machine needs; the AST is kept only for spans and printing.

import type { Instr, LitmusTest, Prop, Span } from '../litmus/ast.js';
import type { Op } from './decode.js';
import type { ValueTable } from './values.js';

/** How a translation fault is taken (herd's fault modes, lib/fault.ml). */
export type FaultMode = 'fatal' | 'handled' | 'skip';

/** One instruction slot of a thread. */
export interface CodeSlot {
  readonly op: Op;
  readonly instr: Instr;
  /** labels that name this slot */
  readonly labels: readonly string[];
}

/** A thread's code: its main column then, if any, its `Pn.F` handler column. */
export interface ThreadProgram {
  readonly proc: number;
  readonly code: readonly CodeSlot[];
  /** main code is `code[0 .. mainEnd)`; reaching mainEnd ends the thread */
  readonly mainEnd: number;
  /** index of the handler's first slot, or -1 when the thread has no `Pn.F` column */
  readonly handlerStart: number;
  /** label -> slot index (a label after the last instruction names mainEnd or code.length) */
  readonly labels: ReadonlyMap<string, number>;
  /** runs at EL0 (`EL0=` header): descriptors with el0:0 give a permission fault */
  readonly el0: boolean;
  /** hardware Access-flag update (`TTHM=HA`, D8.5.1) */
  readonly ha: boolean;
  /** hardware Dirty-state update (`TTHM=HD`, D8.5.2) */
  readonly hd: boolean;
}

/** A location whose final value is printed in herd's state lines. */
export type Observed =
  | { readonly kind: 'reg'; readonly proc: number; readonly reg: number; readonly name: string }
  /** a memory cell: the data at PA(v) (`pte` false) or the descriptor PTE(v) */
  | { readonly kind: 'mem'; readonly v: number; readonly pte: boolean; readonly name: string }
  | { readonly kind: 'fault'; readonly proc: number; readonly pc: number; readonly v: number; readonly faultType: string; readonly name: string };

/** A final-condition proposition with names resolved. */
export type RProp =
  | { readonly kind: 'const'; readonly value: boolean }
  | { readonly kind: 'eq'; readonly obs: number; readonly value: number; readonly negated: boolean }
  /** true when some recorded fault matches every given part (-1 / '' = any) */
  | { readonly kind: 'fault'; readonly proc: number; readonly pc: number; readonly v: number; readonly faultType: string }
  | { readonly kind: 'not'; readonly arg: RProp }
  | { readonly kind: 'and' | 'or' | 'implies'; readonly left: RProp; readonly right: RProp };

/** The resolved final condition. */
export interface RCondition {
  readonly quantifier: 'exists' | 'not exists' | 'forall';
  readonly prop: RProp;
  /** herd's rendering of the condition, for the `Condition` line */
  readonly text: string;
}

/** The layout of a C array variable (see Program.arrays). */
export interface ArrayLayout {
  readonly length: number;
  /** element size in bytes (int: 4, int64_t/uint64_t/long: 8) */
  readonly size: number;
  readonly base: number;
}

/** A loaded program, ready to explore. */
export interface Program {
  readonly test: LitmusTest;
  /** variable names; a variable's index is its id everywhere in the model */
  readonly vars: readonly string[];
  readonly values: ValueTable;
  readonly threads: readonly ThreadProgram[];
  /** initial memory: cell 2v is the data at PA(v), cell 2v+1 the descriptor PTE(v) (value ids) */
  readonly initMem: readonly number[];
  /** initial registers per thread: value ids of X0 up to the highest register the program names, the same count for every thread (later ones read as 0) */
  readonly initRegs: readonly (readonly number[])[];
  readonly faultMode: FaultMode;
  /**
   * How many times a thread may branch back to one label; a run that would branch back once more
   * is not explored (herd's loop unrolling: such executions are cut off and dropped). 0: no bound.
   */
  readonly unroll: number;
  /**
   * Whether PTE(v) can ever change: the program holds its address (PTE(v) appears as a value in
   * the init block, and addresses are only ever copied or offset by 0), or the hardware may update
   * descriptors (some thread has TTHM=HA/HD). For the others a cached translation always equals
   * a fresh walk, so the machine neither caches nor speculatively walks them.
   */
  readonly mutablePte: readonly boolean[];
  /**
   * C arrays of the init block by variable (`int x[3]={0,0,0}`): the number of elements, their
   * size in bytes, and the cell of element 1 (elements 1.. are consecutive cells after every
   * variable's data and descriptor cells). Absent for a plain variable.
   */
  readonly arrays: readonly (ArrayLayout | undefined)[];
  /** locations printed in state lines, in herd's order */
  readonly observed: readonly Observed[];
  readonly condition?: RCondition;
  readonly filter?: RProp;
  /** the source AST of the condition, for reporting */
  readonly conditionAst?: Prop;
}

/** A construct the model cannot run yet, with where it is. */
export interface Unsupported {
  readonly construct: string;
  readonly span: Span;
  readonly message: string;
}

/** Data cell index of variable v (of its element 0, for an array). */
export function dataCell(v: number): number {
  return 2 * v;
}

/**
 * Cell of element `k` of the page of variable `v` (C arrays, `int x[3]`), or undefined if the
 * page has no such element. Element 0 is dataCell(v); the others follow every variable's pair.
 */
export function elementCell(prog: Program, v: number, k: number): number | undefined {
  if (k === 0) return dataCell(v);
  const a = prog.arrays[v];
  return a === undefined || k < 0 || k >= a.length ? undefined : a.base + k - 1;
}

/** The array element a data cell holds (0 for a variable's own cell). */
export function elementOf(prog: Program, cell: number): number {
  if (cell < 2 * prog.vars.length) return 0;
  for (const a of prog.arrays) if (a !== undefined && cell >= a.base && cell < a.base + a.length - 1) return cell - a.base + 1;
  return 0;
}

/** Every data cell of the page of variable v: its element 0, then its other array elements. */
export function pageCells(prog: Program, v: number): number[] {
  const a = prog.arrays[v];
  const out = [dataCell(v)];
  if (a !== undefined) for (let k = 1; k < a.length; k++) out.push(a.base + k - 1);
  return out;
}

/** Descriptor cell index of variable v. */
export function pteCell(v: number): number {
  return 2 * v + 1;
}
