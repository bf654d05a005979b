// Final states as herd prints them, and the final condition evaluated on them.

import type { Observed, Program, RProp } from './program.js';
import type { FaultRec, MachineState } from './state.js';
import { formatVal } from './values.js';

const MMU_FAULTS = new Set(['Translation', 'AccessFlag', 'Permission']);

function faultMatches(f: FaultRec, o: { proc: number; pc: number; v: number; faultType: string }): boolean {
  if (f.proc !== o.proc) return false;
  if (o.pc >= 0 && f.pc !== o.pc) return false;
  if (o.v >= 0 && f.va !== o.v) return false;
  if (o.faultType !== '' && o.faultType.replace(/^D-/, '').replace(/^MMU:/, '') !== f.type) return false;
  return true;
}

/** Evaluates a resolved proposition on a final state. */
export function evalProp(prog: Program, s: MachineState, p: RProp): boolean {
  switch (p.kind) {
    case 'const':
      return p.value;
    case 'not':
      return !evalProp(prog, s, p.arg);
    case 'and':
      return evalProp(prog, s, p.left) && evalProp(prog, s, p.right);
    case 'or':
      return evalProp(prog, s, p.left) || evalProp(prog, s, p.right);
    case 'implies':
      return !evalProp(prog, s, p.left) || evalProp(prog, s, p.right);
    case 'fault':
      return s.faults.some((f) => faultMatches(f, p));
    case 'eq': {
      const o = prog.observed[p.obs];
      if (o === undefined || o.kind === 'fault') throw new Error('[internal] eq on a non-value location');
      const eq = valueAt(s, o) === p.value;
      return p.negated ? !eq : eq;
    }
  }
}

function valueAt(s: MachineState, o: Observed & { kind: 'reg' | 'mem' }): number {
  if (o.kind === 'reg') return s.cpus[o.proc]?.regs[o.reg] ?? 0;
  return s.mem[o.pte ? 2 * o.v + 1 : 2 * o.v] ?? 0;
}

/** herd's state line for a final state: `1:X0=1; [x]=2; Fault(P1:L0,x,D-MMU:Translation);`. */
export function stateLine(prog: Program, s: MachineState): string {
  const varName = (v: number): string => prog.vars[v] ?? `?${v}`;
  const binds: string[] = [];
  let faults = '';
  const absent: string[] = [];
  for (const o of prog.observed) {
    if (o.kind !== 'fault') {
      binds.push(`${o.name}=${formatVal(prog.values.get(valueAt(s, o)), varName)};`);
      continue;
    }
    const hits = s.faults.filter((f) => faultMatches(f, o));
    if (hits.length === 0) {
      absent.push(` ~Fault(${o.name});`);
      continue;
    }
    const seen = new Set<string>();
    for (const f of hits) {
      const labels = prog.threads[f.proc]?.code[f.pc]?.labels ?? [];
      const label = labels.length === 0 ? '' : labels.length === 1 ? `:${labels[0]}` : `:{${labels.join(',')}}`;
      let text = `P${f.proc}${label}`;
      if (f.va >= 0) text += `,${varName(f.va)}`;
      text += `,${o.faultType !== '' ? o.faultType : MMU_FAULTS.has(f.type) ? `D-MMU:${f.type}` : f.type}`;
      if (!seen.has(text)) {
        seen.add(text);
        faults += ` Fault(${text});`;
      }
    }
  }
  // herd: locations, then the faults that occurred, then the atoms that did not (in reverse
  // order, with one more space when no fault occurred).
  const missing = absent.reverse().join('');
  return binds.join(' ') + faults + (faults === '' && missing !== '' ? ' ' : '') + missing;
}

/**
 * stateLine of `prog`, remembered by what it depends on: the observed locations' values and the
 * fault list's records. A search meets the same few outcomes in many final states, and
 * formatting one was 4% of the 6-CPU SC fixmap search. (Fault lists are compared by content:
 * the permuted states that expanding a search reduced by symmetry looks at have lists of their
 * own, and keyed by list object they filled the table with copies of the same lines.)
 */
export function stateLines(prog: Program): (s: MachineState) => string {
  const observed = prog.observed;
  const ids = new Int32Array(observed.length);
  // by a hash of the values and fault records: the lines with that hash
  const lines = new Map<number, LineEntry[]>();
  return (s) => {
    let h = 0x811c9dc5 | 0;
    for (let i = 0; i < observed.length; i++) {
      const o = observed[i] as Observed;
      const id = o.kind === 'fault' ? -1 : valueAt(s, o);
      ids[i] = id;
      h = Math.imul(h ^ id, 0x01000193);
    }
    const faults = s.faults;
    for (let i = 0; i < faults.length; i++) {
      const f = faults[i] as FaultRec;
      h = Math.imul(h ^ (((f.proc * 65536 + f.pc) * 4096 + f.va) | 0), 0x01000193);
    }
    // (a Smi key: a 32-bit one is a heap number to the map)
    h &= 0x3fffffff;
    const known = lines.get(h);
    if (known !== undefined) {
      for (let k = 0; k < known.length; k++) {
        const e = known[k] as LineEntry;
        if (e.faults !== faults && !sameFaults(e.faults, faults)) continue;
        let same = true;
        for (let i = 0; i < ids.length && same; i++) same = e.ids[i] === ids[i];
        if (same) return e.line;
      }
    }
    const line = stateLine(prog, s);
    const entry: LineEntry = { ids: ids.slice(), faults: s.faults, line };
    if (known === undefined) lines.set(h, [entry]);
    else known.push(entry);
    return line;
  };
}

/** A remembered outcome line: the observed values' ids (-1 for a fault location) and the fault list it was made from. */
interface LineEntry {
  readonly ids: Int32Array;
  readonly faults: readonly FaultRec[];
  readonly line: string;
}

function sameFaults(a: readonly FaultRec[], b: readonly FaultRec[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const x = a[i] as FaultRec;
    const y = b[i] as FaultRec;
    if (x.proc !== y.proc || x.pc !== y.pc || x.va !== y.va || x.type !== y.type) return false;
  }
  return true;
}
