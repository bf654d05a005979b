// From a syntactic instruction (litmus/ast.ts) to a typed operation the machine executes.
// Every shape the model does not execute is rejected here, with its span and the supported list,
// so an unsupported test is reported as such and never explored with a silently wrong meaning.

import type { Instr, Operand, Span } from '../litmus/ast.js';
import { barrierRow, type BarrierRow } from './barrier-table.js';
import { tlbiRow, type TlbiRow } from './tlbi-table.js';

/** Register number 0..30, or 31 for XZR/WZR. */
export type Reg = number;
/** The zero register. */
export const ZR = 31;

/** A second source operand: a register (with optional extend) or an immediate. */
export type Src =
  | { readonly kind: 'reg'; readonly reg: Reg; readonly extend?: string; readonly amount?: bigint }
  | { readonly kind: 'imm'; readonly value: bigint };

/** Addressing mode `[Xn]`, `[Xn,Xm]`, `[Xn,Wm,SXTW]`, `[Xn,#imm]`. */
export interface Addr {
  readonly base: Reg;
  readonly offset?: Src;
}

/** Condition codes used by B.cond, CSEL and CSET. */
export type CondCode = 'EQ' | 'NE' | 'GE' | 'LT' | 'GT' | 'LE' | 'HS' | 'LO' | 'HI' | 'LS' | 'MI' | 'PL';
const COND_CODES: readonly CondCode[] = ['EQ', 'NE', 'GE', 'LT', 'GT', 'LE', 'HS', 'LO', 'HI', 'LS', 'MI', 'PL'];

/** Acquire/release annotations of an access. */
export interface Ordering {
  readonly acquire: 'none' | 'acq' | 'acqpc';
  readonly release: boolean;
}

/** Read-modify-write functions of the LD<op>/ST<op> family. */
export type RmwFn = 'add' | 'clr' | 'set' | 'eor' | 'smax' | 'smin' | 'umax' | 'umin';

/** A decoded operation. `w` is true for the 32-bit (W register) form. */
export type Op =
  | { readonly op: 'nop' }
  | { readonly op: 'mov'; readonly rd: Reg; readonly src: Src; readonly w: boolean }
  | {
      readonly op: 'alu';
      readonly fn: 'add' | 'sub' | 'and' | 'orr' | 'eor' | 'bic' | 'lsl' | 'lsr' | 'asr';
      readonly rd: Reg;
      readonly rn: Reg;
      readonly src: Src;
      readonly w: boolean;
      /** ANDS/ADDS/SUBS: also set NZCV */
      readonly setFlags: boolean;
    }
  | { readonly op: 'cmp'; readonly rn: Reg; readonly src: Src; readonly w: boolean }
  | { readonly op: 'csel'; readonly rd: Reg; readonly rn: Reg; readonly rm: Reg; readonly cond: CondCode; readonly w: boolean }
  | { readonly op: 'cset'; readonly rd: Reg; readonly cond: CondCode; readonly w: boolean }
  | { readonly op: 'load'; readonly rt: Reg; readonly addr: Addr; readonly ord: Ordering; readonly exclusive: boolean; readonly w: boolean }
  /** `postIndex`: `STR Wt,[Xn],#imm` writes at Xn, then adds imm to Xn */
  | { readonly op: 'store'; readonly rt: Reg; readonly addr: Addr; readonly ord: Ordering; readonly w: boolean; readonly postIndex?: bigint }
  | { readonly op: 'stxr'; readonly rs: Reg; readonly rt: Reg; readonly addr: Addr; readonly ord: Ordering; readonly w: boolean }
  | { readonly op: 'swp'; readonly rs: Reg; readonly rt: Reg; readonly addr: Addr; readonly ord: Ordering; readonly w: boolean }
  | { readonly op: 'cas'; readonly rs: Reg; readonly rt: Reg; readonly addr: Addr; readonly ord: Ordering; readonly w: boolean }
  | { readonly op: 'rmw'; readonly fn: RmwFn; readonly rs: Reg; readonly rt: Reg; readonly addr: Addr; readonly ord: Ordering; readonly w: boolean }
  | { readonly op: 'cbz'; readonly rt: Reg; readonly nonzero: boolean; readonly target: string; readonly w: boolean }
  | { readonly op: 'b'; readonly cond?: CondCode; readonly target: string }
  | { readonly op: 'dmb'; readonly row: BarrierRow }
  | { readonly op: 'dsb'; readonly row: BarrierRow }
  | { readonly op: 'isb' }
  | { readonly op: 'tlbi'; readonly row: TlbiRow; readonly rt?: Reg }
  | { readonly op: 'adr'; readonly rd: Reg; readonly target: string }
  | { readonly op: 'msr'; readonly sysreg: 'ELR_EL1'; readonly rt: Reg }
  | { readonly op: 'mrs'; readonly rt: Reg; readonly sysreg: 'ELR_EL1' | 'PAR_EL1' }
  /** AT S1E{0,1}{R,W}: translate Xt as a read or write at EL0/EL1, result in PAR_EL1, no exception */
  | { readonly op: 'at'; readonly rt: Reg; readonly write: boolean; readonly el0: boolean }
  | { readonly op: 'eret' }
  | { readonly op: 'udf' }
  | { readonly op: 'svc' };

/** The memory accesses: the ops with an address and an ordering. */
export type AccessOp = Extract<Op, { readonly addr: Addr }>;

/** The kinds of op that access memory (isAccess). */
export const ACCESS_OPS: ReadonlySet<Op['op']> = new Set(['load', 'store', 'stxr', 'swp', 'cas', 'rmw']);

/** Whether `op` is a memory access (use this, not `'addr' in op`: see uniformOp). */
export function isAccess(op: Op): op is AccessOp {
  return ACCESS_OPS.has(op.op);
}

// Every field of every Op, in one order (uniformOp).
const OP_FIELDS = ['op', 'rd', 'rn', 'rm', 'rs', 'rt', 'src', 'w', 'fn', 'setFlags', 'cond', 'addr', 'ord', 'exclusive', 'postIndex', 'nonzero', 'target', 'row', 'sysreg', 'write', 'el0'] as const;
const OP_FIELD_SET: ReadonlySet<string> = new Set(OP_FIELDS);

/**
 * `op` as an object with every field of every kind of op (absent ones undefined), so that all ops
 * of a program have one hidden class: the machine reads `op.op` and shared fields at sites that
 * see every kind of instruction, and with a class per kind each such read was a megamorphic
 * property load. Code must therefore test an op's kind, never `'field' in op`.
 */
export function uniformOp(op: Op): Op {
  const x = op as unknown as Record<string, unknown>;
  for (const k in x) if (!OP_FIELD_SET.has(k)) throw new Error(`[internal] uniformOp does not know the op field ${k}`);
  return {
    op: x.op,
    rd: x.rd,
    rn: x.rn,
    rm: x.rm,
    rs: x.rs,
    rt: x.rt,
    src: x.src,
    w: x.w,
    fn: x.fn,
    setFlags: x.setFlags,
    cond: x.cond,
    addr: x.addr,
    ord: x.ord,
    exclusive: x.exclusive,
    postIndex: x.postIndex,
    nonzero: x.nonzero,
    target: x.target,
    row: x.row,
    sysreg: x.sysreg,
    write: x.write,
    el0: x.el0,
  } as unknown as Op;
}

/** Why an instruction cannot be decoded: a span and a message naming what is supported. */
export interface DecodeError {
  readonly span: Span;
  readonly message: string;
}

/** The mnemonics the model executes, for error messages and `--help`. */
export const SUPPORTED_MNEMONICS: readonly string[] = [
  'LDR', 'LDAR', 'LDAPR', 'LDXR', 'LDAXR', 'STR', 'STLR', 'STXR', 'STLXR',
  'SWP', 'SWPA', 'SWPL', 'SWPAL', 'CAS', 'CASA', 'CASL', 'CASAL',
  'LDADD', 'LDCLR', 'LDSET', 'LDEOR', 'STADD', 'STCLR', 'STSET', 'STEOR' /* and their A/L/AL forms */,
  'MOV', 'ADD', 'SUB', 'AND', 'ORR', 'EOR', 'BIC', 'LSL', 'LSR', 'ASR', 'CMP', 'CSEL', 'CSET',
  'CBZ', 'CBNZ', 'B', 'B.cond', 'DMB', 'DSB', 'ISB', 'TLBI', 'ADR', 'MSR ELR_EL1', 'MRS ELR_EL1', 'MRS PAR_EL1', 'AT S1E0R/S1E0W/S1E1R/S1E1W', 'ANDS', 'ADDS', 'SUBS', 'ERET', 'NOP', 'UDF', 'SVC',
];

class Fail extends Error {
  constructor(readonly span: Span, message: string) {
    super(message);
  }
}

function reg(o: Operand | undefined, at: Span, what = 'a register'): { reg: Reg; w: boolean } {
  if (o === undefined) throw new Fail(at, `expected ${what}`);
  if (o.kind !== 'reg') throw new Fail(o.span, `expected ${what}, found ${describe(o)}`);
  const m = /^([XW])(\d+)$/.exec(o.name);
  if (m !== null) {
    const n = Number(m[2]);
    if (n > 30) throw new Fail(o.span, `no register ${o.name}: X0-X30, W0-W30, XZR and WZR are supported`);
    return { reg: n, w: m[1] === 'W' };
  }
  if (o.name === 'XZR' || o.name === 'WZR') return { reg: ZR, w: o.name === 'WZR' };
  throw new Fail(o.span, `register ${o.name} is not supported: X0-X30, W0-W30, XZR and WZR are`);
}

function describe(o: Operand): string {
  switch (o.kind) {
    case 'reg':
      return `register ${o.name}`;
    case 'imm':
      return `immediate #${o.value}`;
    case 'mem':
      return 'a memory operand';
    case 'ident':
      return `'${o.name}'`;
    case 'shift':
      return `'${o.op} #${o.amount}'`;
  }
}

function src(ops: readonly Operand[], i: number, at: Span): Src {
  const o = ops[i];
  if (o === undefined) throw new Fail(at, 'expected a register or an immediate');
  if (o.kind === 'imm') return { kind: 'imm', value: o.value };
  const r = reg(o, at, 'a register or an immediate').reg;
  const ext = ops[i + 1];
  if (ext === undefined) return { kind: 'reg', reg: r };
  if (ext.kind === 'ident' && ['SXTW', 'UXTW', 'SXTX', 'UXTX'].includes(ext.name)) return { kind: 'reg', reg: r, extend: ext.name };
  if (ext.kind === 'shift') return { kind: 'reg', reg: r, extend: ext.op, amount: ext.amount };
  throw new Fail(ext.span, `unexpected operand ${describe(ext)}: an extend (SXTW, UXTW) or shift (LSL #n) may follow`);
}

function addr(o: Operand | undefined, at: Span): Addr {
  if (o === undefined) throw new Fail(at, 'expected a memory operand [Xn]');
  if (o.kind !== 'mem') throw new Fail(o.span, `expected a memory operand [Xn], found ${describe(o)}`);
  const base = reg({ kind: 'reg', name: o.base, span: o.span }, o.span, 'a base register').reg;
  if (o.offset === undefined) return { base };
  if (o.offset.kind === 'imm') return { base, offset: { kind: 'imm', value: o.offset.value } };
  const r = reg({ kind: 'reg', name: o.offset.name, span: o.span }, o.span, 'an offset register').reg;
  if (o.extend === undefined) return { base, offset: { kind: 'reg', reg: r } };
  const off: Src =
    o.extend.amount === undefined
      ? { kind: 'reg', reg: r, extend: o.extend.op }
      : { kind: 'reg', reg: r, extend: o.extend.op, amount: o.extend.amount };
  return { base, offset: off };
}

function ident(o: Operand | undefined, at: Span, what: string): string {
  if (o === undefined) throw new Fail(at, `expected ${what}`);
  if (o.kind !== 'ident') throw new Fail(o.span, `expected ${what}, found ${describe(o)}`);
  return o.name;
}

function cond(name: string, at: Span): CondCode {
  const c = COND_CODES.find((x) => x === name.toUpperCase());
  if (c === undefined) throw new Fail(at, `unknown condition ${name}: supported are ${COND_CODES.join(', ')}`);
  return c;
}

function arity(i: Instr, n: number | readonly number[]): void {
  const ok = typeof n === 'number' ? i.operands.length === n : n.includes(i.operands.length);
  if (!ok) throw new Fail(i.span, `${i.mnemonic} takes ${typeof n === 'number' ? n : n.join(' or ')} operand(s), found ${i.operands.length}`);
}

const ORDERING_SUFFIX: Record<string, Ordering> = {
  '': { acquire: 'none', release: false },
  A: { acquire: 'acq', release: false },
  L: { acquire: 'none', release: true },
  AL: { acquire: 'acq', release: true },
};

/** Decodes one instruction, or says why the model cannot run it. */
export function decode(i: Instr): { ok: true; op: Op } | { ok: false; error: DecodeError } {
  try {
    return { ok: true, op: decodeOrThrow(i) };
  } catch (e) {
    if (e instanceof Fail) return { ok: false, error: { span: e.span, message: e.message } };
    throw e;
  }
}

function decodeOrThrow(i: Instr): Op {
  const m = i.mnemonic.toUpperCase();
  const ops = i.operands;
  const at = i.span;
  const none: Ordering = { acquire: 'none', release: false };
  switch (m) {
    case 'NOP':
      arity(i, 0);
      return { op: 'nop' };
    case 'ISB':
      arity(i, [0, 1]);
      return { op: 'isb' };
    case 'ERET':
      arity(i, 0);
      return { op: 'eret' };
    case 'UDF':
      return { op: 'udf' };
    case 'SVC':
      return { op: 'svc' };
    case 'DMB':
    case 'DSB': {
      arity(i, 1);
      const opt = ident(ops[0], at, 'a barrier option');
      const row = barrierRow(opt);
      if (row === undefined) throw new Fail(ops[0]?.span ?? at, `unsupported barrier option ${m} ${opt}: supported are SY, ST, LD, ISH, ISHST, ISHLD, OSH, OSHST, OSHLD, NSH, NSHST, NSHLD`);
      return m === 'DMB' ? { op: 'dmb', row } : { op: 'dsb', row };
    }
    case 'TLBI': {
      arity(i, [1, 2]);
      const name = ident(ops[0], at, 'a TLBI operation');
      const row = tlbiRow(name);
      if (row === undefined)
        throw new Fail(ops[0]?.span ?? at, `unsupported TLBI operation ${name}: supported are VAE1, VAAE1, VALE1, VAALE1, VMALLE1 and their IS forms`);
      if (row.scope === 'va') {
        arity(i, 2);
        return { op: 'tlbi', row, rt: reg(ops[1], at).reg };
      }
      arity(i, 1);
      return { op: 'tlbi', row };
    }
    case 'MOV': {
      arity(i, 2);
      const d = reg(ops[0], at);
      return { op: 'mov', rd: d.reg, src: src(ops, 1, at), w: d.w };
    }
    case 'ADD':
    case 'SUB':
    case 'AND':
    case 'ORR':
    case 'EOR':
    case 'BIC':
    case 'LSL':
    case 'LSR':
    case 'ASR':
    case 'ANDS':
    case 'ADDS':
    case 'SUBS': {
      arity(i, [3, 4]);
      const d = reg(ops[0], at);
      const n = reg(ops[1], at);
      const setFlags = m === 'ANDS' || m === 'ADDS' || m === 'SUBS';
      const fn = (setFlags ? m.slice(0, -1) : m).toLowerCase() as 'add' | 'sub' | 'and' | 'orr' | 'eor' | 'bic' | 'lsl' | 'lsr' | 'asr';
      return { op: 'alu', fn, rd: d.reg, rn: n.reg, src: src(ops, 2, at), w: d.w, setFlags };
    }
    case 'AT': {
      arity(i, 2);
      const name = ident(ops[0], at, 'an address-translation operation').toUpperCase();
      const mm = /^S1E([01])([RW])$/.exec(name);
      if (mm === null) throw new Fail(ops[0]?.span ?? at, `unsupported AT operation ${name}: supported are S1E0R, S1E0W, S1E1R, S1E1W`);
      return { op: 'at', rt: reg(ops[1], at).reg, write: mm[2] === 'W', el0: mm[1] === '0' };
    }
    case 'CMP': {
      arity(i, [2, 3]);
      const n = reg(ops[0], at);
      return { op: 'cmp', rn: n.reg, src: src(ops, 1, at), w: n.w };
    }
    case 'CSEL': {
      arity(i, 4);
      const d = reg(ops[0], at);
      return { op: 'csel', rd: d.reg, rn: reg(ops[1], at).reg, rm: reg(ops[2], at).reg, cond: cond(ident(ops[3], at, 'a condition'), at), w: d.w };
    }
    case 'CSET': {
      arity(i, 2);
      const d = reg(ops[0], at);
      return { op: 'cset', rd: d.reg, cond: cond(ident(ops[1], at, 'a condition'), at), w: d.w };
    }
    case 'CBZ':
    case 'CBNZ': {
      arity(i, 2);
      const t = reg(ops[0], at);
      return { op: 'cbz', rt: t.reg, nonzero: m === 'CBNZ', target: ident(ops[1], at, 'a label'), w: t.w };
    }
    case 'B':
      arity(i, 1);
      return { op: 'b', target: ident(ops[0], at, 'a label') };
    case 'ADR': {
      arity(i, 2);
      return { op: 'adr', rd: reg(ops[0], at).reg, target: ident(ops[1], at, 'a label') };
    }
    case 'MSR': {
      arity(i, 2);
      const sr = ident(ops[0], at, 'a system register');
      if (sr !== 'ELR_EL1') throw new Fail(ops[0]?.span ?? at, `unsupported system register ${sr}: only ELR_EL1 is supported`);
      return { op: 'msr', sysreg: 'ELR_EL1', rt: reg(ops[1], at).reg };
    }
    case 'MRS': {
      arity(i, 2);
      const sr = ident(ops[1], at, 'a system register').toUpperCase();
      if (sr !== 'ELR_EL1' && sr !== 'PAR_EL1') throw new Fail(ops[1]?.span ?? at, `unsupported system register ${sr}: ELR_EL1 and PAR_EL1 are supported`);
      return { op: 'mrs', rt: reg(ops[0], at).reg, sysreg: sr };
    }
  }
  if (m.startsWith('B.')) {
    arity(i, 1);
    return { op: 'b', cond: cond(m.slice(2), at), target: ident(ops[0], at, 'a label') };
  }
  // Loads and stores.
  const loads: Record<string, Ordering & { exclusive: boolean }> = {
    LDR: { ...none, exclusive: false },
    LDAR: { acquire: 'acq', release: false, exclusive: false },
    LDAPR: { acquire: 'acqpc', release: false, exclusive: false },
    LDXR: { ...none, exclusive: true },
    LDAXR: { acquire: 'acq', release: false, exclusive: true },
  };
  const ld = loads[m];
  if (ld !== undefined) {
    arity(i, 2);
    const t = reg(ops[0], at);
    return { op: 'load', rt: t.reg, addr: addr(ops[1], at), ord: { acquire: ld.acquire, release: false }, exclusive: ld.exclusive, w: t.w };
  }
  if (m === 'STR' || m === 'STLR') {
    arity(i, m === 'STR' ? [2, 3] : 2);
    const t = reg(ops[0], at);
    const a = addr(ops[1], at);
    const ord: Ordering = { acquire: 'none', release: m === 'STLR' };
    const post = ops[2];
    if (post === undefined) return { op: 'store', rt: t.reg, addr: a, ord, w: t.w };
    // Post-index (Arm ARM C6.2 STR (immediate), post-index form): base register only.
    if (post.kind !== 'imm' || a.offset !== undefined) throw new Fail(post.span, 'post-index takes [Xn],#imm');
    return { op: 'store', rt: t.reg, addr: a, ord, w: t.w, postIndex: post.value };
  }
  if (m === 'STXR' || m === 'STLXR') {
    arity(i, 3);
    const t = reg(ops[1], at);
    return { op: 'stxr', rs: reg(ops[0], at).reg, rt: t.reg, addr: addr(ops[2], at), ord: { acquire: 'none', release: m === 'STLXR' }, w: t.w };
  }
  const rmw = /^(SWP|CAS|LDADD|LDCLR|LDSET|LDEOR|LDSMAX|LDSMIN|LDUMAX|LDUMIN|STADD|STCLR|STSET|STEOR)(A|L|AL)?$/.exec(m);
  if (rmw !== null) {
    const base = rmw[1] ?? '';
    const ord = ORDERING_SUFFIX[rmw[2] ?? ''] ?? none;
    if (base.startsWith('ST')) {
      // STADD Xs,[Xn] is LDADD Xs,XZR,[Xn] (Arm ARM C6.2 STADD alias); no acquire form exists.
      arity(i, 2);
      if (ord.acquire !== 'none') throw new Fail(at, `${m} is not an instruction: ST<op> has only the L form`);
      const s = reg(ops[0], at);
      return { op: 'rmw', fn: base.slice(2).toLowerCase() as RmwFn, rs: s.reg, rt: ZR, addr: addr(ops[1], at), ord, w: s.w };
    }
    arity(i, 3);
    const s = reg(ops[0], at);
    const t = reg(ops[1], at);
    const a = addr(ops[2], at);
    if (base === 'SWP') return { op: 'swp', rs: s.reg, rt: t.reg, addr: a, ord, w: s.w };
    if (base === 'CAS') return { op: 'cas', rs: s.reg, rt: t.reg, addr: a, ord, w: s.w };
    return { op: 'rmw', fn: base.slice(2).toLowerCase() as RmwFn, rs: s.reg, rt: t.reg, addr: a, ord, w: s.w };
  }
  throw new Fail(at, `unsupported instruction ${i.mnemonic}: supported are ${SUPPORTED_MNEMONICS.join(', ')}`);
}

/** What an operation reads and writes among registers and NZCV, for dependency tracking. */
export interface RegUse {
  readonly reads: readonly Reg[];
  readonly writes: readonly Reg[];
  readonly readsFlags: boolean;
  readonly writesFlags: boolean;
}

function srcRegs(s: Src): Reg[] {
  return s.kind === 'reg' ? [s.reg] : [];
}

function addrRegs(a: Addr): Reg[] {
  return [a.base, ...(a.offset === undefined ? [] : srcRegs(a.offset))];
}

const USES = new WeakMap<Op, RegUse>();

/**
 * The registers and flags `op` reads and writes (XZR excluded). Memoised per decoded op: the
 * relaxed machine asks for every instruction in a CPU's window at every step.
 */
export function regUse(op: Op): RegUse {
  let u = USES.get(op);
  if (u === undefined) {
    u = computeRegUse(op);
    USES.set(op, u);
  }
  return u;
}

function computeRegUse(op: Op): RegUse {
  const u = (reads: Reg[], writes: Reg[], readsFlags = false, writesFlags = false): RegUse => ({
    reads: reads.filter((r) => r !== ZR),
    writes: writes.filter((r) => r !== ZR),
    readsFlags,
    writesFlags,
  });
  switch (op.op) {
    case 'mov':
      return u(srcRegs(op.src), [op.rd]);
    case 'alu':
      return u([op.rn, ...srcRegs(op.src)], [op.rd], false, op.setFlags);
    case 'cmp':
      return u([op.rn, ...srcRegs(op.src)], [], false, true);
    case 'csel':
      return u([op.rn, op.rm], [op.rd], true);
    case 'cset':
      return u([], [op.rd], true);
    case 'load':
      return u(addrRegs(op.addr), [op.rt]);
    case 'store':
      return u([op.rt, ...addrRegs(op.addr)], op.postIndex === undefined ? [] : [op.addr.base]);
    case 'stxr':
      return u([op.rt, ...addrRegs(op.addr)], [op.rs]);
    case 'swp':
      return u([op.rs, ...addrRegs(op.addr)], [op.rt]);
    case 'cas':
      return u([op.rs, op.rt, ...addrRegs(op.addr)], [op.rs]);
    case 'rmw':
      return u([op.rs, ...addrRegs(op.addr)], [op.rt]);
    case 'cbz':
      return u([op.rt], []);
    case 'b':
      return u([], [], op.cond !== undefined);
    case 'tlbi':
      return u(op.rt === undefined ? [] : [op.rt], []);
    case 'adr':
      return u([], [op.rd]);
    case 'msr':
      return u([op.rt], []);
    case 'mrs':
      return u([], [op.rt]);
    case 'at':
      return u([op.rt], []);
    default:
      return u([], []);
  }
}
