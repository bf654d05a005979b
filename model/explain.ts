// Human-readable steps: what a transition did, and the translation state after it.

import { ALL_PAGES, NO_PAGE, type Transition } from './machine.js';
import type { RTransition } from './relaxed.js';
import { pteCell, type Program } from './program.js';
import type { MachineState } from './state.js';
import { formatVal } from './values.js';

/** One sentence for transition `t` (of the SC or the relaxed machine) taken from state `s`. */
export function describeTransition(prog: Program, s: MachineState, t0: Transition): string {
  const t = t0 as Transition | RTransition;
  const name = (v: number): string => prog.vars[v] ?? `?${v}`;
  const show = (id: number): string => formatVal(prog.values.get(id), name);
  const c = s.cpus[t.cpu];
  switch (t.k) {
    case 'exec': {
      const slot = c === undefined ? undefined : prog.threads[t.cpu]?.code[c.pc];
      let how = '';
      if (t.via !== undefined) {
        if (t.via.kind === 'tlb') how = ` via TLB entry ${show(t.via.desc)}`;
        else if (t.via.kind === 'early') how = ` via an early walk that read ${show(t.via.desc)}`;
        else if (t.via.stale) how = ' via a walk that does not yet see its own PTE store';
      }
      const res = t.fail === undefined ? '' : t.fail ? ' (store-exclusive fails)' : ' (store-exclusive succeeds)';
      return `P${t.cpu} executes '${slot?.instr.text ?? '?'}'${how}${res}`;
    }
    case 'walk': {
      const id = s.mem[pteCell(t.va)];
      return `P${t.cpu}'s walker reads PTE(${name(t.va)}) = ${id === undefined ? '?' : show(id)} speculatively and owes the Access-flag update`;
    }
    case 'inv': {
      const inv = c?.inv[t.idx];
      const slot = inv === undefined ? undefined : prog.threads[inv.issuer]?.code[inv.pc];
      const what = inv === undefined ? '?' : inv.va === ALL_PAGES ? 'all entries' : inv.va === NO_PAGE ? 'a page no variable is mapped at' : name(inv.va);
      return `P${t.cpu} completes the invalidation of ${what} from P${inv?.issuer ?? '?'}'s '${slot?.instr.text ?? 'TLBI'}'`;
    }
    case 'hu': {
      const h = c?.hu[t.idx];
      return `P${t.cpu}'s walker sets the Access flag of PTE(${h === undefined ? '?' : name(h.va)}) (hardware update of ${h === undefined ? '?' : show(h.desc)})`;
    }
    case 'fetch':
      return `P${t.cpu} fetches '${prog.threads[t.cpu]?.code[c?.pc ?? -1]?.instr.text ?? '?'}'${t.taken === undefined ? '' : t.taken ? ' (guessing the branch taken)' : ' (guessing the branch not taken)'}`;
    case 'do': {
      const e = c?.win[t.idx];
      const text = prog.threads[t.cpu]?.code[e?.pc ?? -1]?.instr.text ?? '?';
      const what = e === undefined ? 'steps' : e.stage === 0 && /^(LD|ST|SWP|CAS)/i.test(text) ? 'translates' : 'performs';
      const how = t.via === undefined ? '' : t.via.kind === 'tlb' ? ` via TLB entry ${show(t.via.desc)}` : t.via.kind === 'early' ? ` via an early walk that read ${show(t.via.desc)}` : t.via.stale ? ' via a walk that does not yet see its own PTE store' : '';
      return `P${t.cpu} ${what} '${text}'${how}`;
    }
    case 'evict': {
      const e = c?.tlb[t.idx];
      return `P${t.cpu} evicts its TLB entry ${e === undefined ? '?' : `${name(e.va)} -> ${show(e.desc)}`}`;
    }
  }
}

/** The descriptors of `vas` and every CPU's TLB entries and early walks for them. */
export function translationSnapshot(prog: Program, s: MachineState, vas: readonly number[]): string[] {
  const name = (v: number): string => prog.vars[v] ?? `?${v}`;
  const show = (id: number): string => formatVal(prog.values.get(id), name);
  const lines: string[] = [];
  lines.push(vas.map((v) => `PTE(${name(v)})=${show(s.mem[pteCell(v)] ?? 0)}`).join('  '));
  s.cpus.forEach((c, i) => {
    const tlb = c.tlb.filter((e) => vas.includes(e.va)).map((e) => `${name(e.va)}->${show(e.desc)}${e.escProc >= 0 ? ` [escaped P${e.escProc}'s TLBI]` : ''}`);
    const early = c.early.filter((e) => vas.includes(e.va)).map((e) => `${name(e.va)}:${show(e.desc)}`);
    const inv = c.inv.map((p) => `${p.va === ALL_PAGES ? 'all' : p.va === NO_PAGE ? 'no variable' : name(p.va)} from P${p.issuer}`);
    let line = `P${i}${c.pc === -1 ? ' (done)' : c.pc === -2 ? ' (execution discarded, as herd does)' : ''} TLB {${tlb.join(', ')}}`;
    if (early.length > 0) line += ` early {${early.join(', ')}}`;
    if (inv.length > 0) line += ` pending-inv {${inv.join(', ')}}`;
    if (c.hu.length > 0) line += ` pending-hardware-update {${c.hu.map((h) => name(h.va)).join(', ')}}`;
    lines.push(line);
  });
  return lines;
}
