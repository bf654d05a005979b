// Which variables each thread may ever translate: the VAs its accesses (and AT) can go through.
// A flow-insensitive over-approximation of what each register can hold, computed once per
// program. A CPU that can never translate `x` gains nothing from walking it: its TLB entries and
// early walks for `x` would never be used, and a walk that only caches changes no memory. The
// machine skips such walks (model/machine.ts), which removes states no outcome depends on; on
// the VMSA corpus the writers of page tables are mostly such CPUs (they store to PTE(x) directly).

import type { Op, Reg, Src } from './decode.js';
import type { Program } from './program.js';

// A register's abstract contents: the variables whose VA (at any offset) it may hold.
// Integers, descriptors, labels, PTE and PA addresses hold none.
type Abs = Set<number>;

const none = (): Abs => new Set();

/** For thread t, `result[t][v]` is false when thread t can never translate variable v. */
export function translatedVars(prog: Program): readonly (readonly boolean[])[] {
  const nvars = prog.vars.length;
  const V = prog.values;
  const vaOf = (id: number): Abs => {
    const x = V.get(id);
    return x.k === 'va' ? new Set([x.v]) : none();
  };
  // What memory may hold, shared by all threads: initial data, then whatever is stored.
  const mem: Abs = none();
  for (let v = 0; v < nvars; v++) join(mem, vaOf(prog.initMem[2 * v] ?? 0));
  const regs: Abs[][] = prog.threads.map((_, t) => Array.from({ length: 32 }, (_, r) => (r < 31 ? vaOf(prog.initRegs[t]?.[r] ?? 0) : none())));
  const src = (t: number, s: Src): Abs => (s.kind === 'reg' ? (regs[t]?.[s.reg] as Abs) : none());
  // Iterate to the fixpoint: every set only grows, over finitely many variables.
  for (let changed = true; changed; ) {
    changed = false;
    const into = (t: number, r: Reg, x: Abs): void => {
      if (r === 31) return;
      if (join(regs[t]?.[r] as Abs, x)) changed = true;
    };
    const stored = (x: Abs): void => {
      if (join(mem, x)) changed = true;
    };
    prog.threads.forEach((th, t) => {
      for (const slot of th.code) {
        const op: Op = slot.op;
        const reg = (r: Reg): Abs => regs[t]?.[r] as Abs;
        switch (op.op) {
          case 'mov':
            into(t, op.rd, src(t, op.src));
            break;
          case 'alu':
            // x EOR x is 0 whatever x holds (the false-dependency idiom); otherwise assume the
            // result may be any VA an operand holds (ADD keeps the base; the rest over-approximate).
            if (op.fn === 'eor' && op.src.kind === 'reg' && op.src.reg === op.rn) break;
            into(t, op.rd, reg(op.rn));
            into(t, op.rd, src(t, op.src));
            break;
          case 'csel':
            into(t, op.rd, reg(op.rn));
            into(t, op.rd, reg(op.rm));
            break;
          case 'load':
            into(t, op.rt, mem);
            break;
          case 'store':
            stored(reg(op.rt));
            break;
          case 'stxr':
            stored(reg(op.rt));
            break;
          case 'swp':
          case 'rmw':
            stored(reg(op.rs));
            into(t, op.rt, mem);
            break;
          case 'cas':
            stored(reg(op.rt));
            into(t, op.rs, mem);
            break;
          default:
            break;
        }
      }
    });
  }
  return prog.threads.map((th, t) => {
    const out = Array.from({ length: nvars }, () => false);
    const mark = (x: Abs): void => {
      for (const v of x) out[v] = true;
    };
    for (const slot of th.code) {
      const op = slot.op;
      if (op.op === 'at') mark(regs[t]?.[op.rt] as Abs);
      else if (op.op === 'load' || op.op === 'store' || op.op === 'stxr' || op.op === 'swp' || op.op === 'cas' || op.op === 'rmw') {
        mark(regs[t]?.[op.addr.base] as Abs);
        if (op.addr.offset !== undefined) mark(src(t, op.addr.offset));
      }
    }
    return out;
  });
}

// Adds b to a; true if a grew.
function join(a: Abs, b: Abs): boolean {
  const before = a.size;
  for (const v of b) a.add(v);
  return a.size > before;
}
