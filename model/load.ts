// From a parsed test to a Program: resolve names, decode instructions, build initial memory
// and registers, resolve the final condition. Anything the model cannot run is returned as an
// Unsupported value naming the construct and its span, never skipped.

import type { CondLoc, FaultAtom, LitmusTest, LocRef, Prop, Span, ThreadCode, Value } from '../litmus/ast.js';
import { decode, regUse, uniformOp } from './decode.js';
import {
  dataCell,
  pteCell,
  type ArrayLayout,
  type CodeSlot,
  type FaultMode,
  type Observed,
  type Program,
  type RCondition,
  type RProp,
  type ThreadProgram,
  type Unsupported,
} from './program.js';
import { defaultDesc, ValueTable, wrap64, type Desc, type Val } from './values.js';
import { variantFaultMode } from './variant.js';

/** Options that come from how the test is run rather than from the file. */
export interface LoadOptions {
  /** fault mode when the file's Variant names none (herd: `-variant vmsa,fatal` for the VMSA catalogue) */
  readonly defaultFaultMode?: FaultMode;
  /** how many times a backward branch may go back to one label; 0: no bound (herd -unroll, default 2) */
  readonly unroll?: number;
}

/** herd7's default loop bound for AArch64 (herd -unroll). */
export const DEFAULT_UNROLL = 2;

class Unsup extends Error {
  constructor(
    readonly construct: string,
    readonly span: Span,
    message: string,
  ) {
    super(message);
  }
}


/** Loads a parsed test into a Program, or reports the first unsupported construct. */
export function loadTest(test: LitmusTest, opts: LoadOptions = {}): { ok: true; program: Program } | { ok: false; unsupported: Unsupported } {
  try {
    return { ok: true, program: new Loader(test, opts).load() };
  } catch (e) {
    if (e instanceof Unsup) return { ok: false, unsupported: { construct: e.construct, span: e.span, message: e.message } };
    throw e;
  }
}

const DESC_FIELDS = new Set(['oa', 'valid', 'af', 'db', 'dbm', 'el0', 'x', 'attrs']);

/** `int *p = &z` (a pointer variable initialised with another variable's address), or undefined. */
function pointerInit(text: string): { name: string; target: string } | undefined {
  const m = /^\s*[A-Za-z_][A-Za-z0-9_]*\s*\*\s*([A-Za-z_][A-Za-z0-9_]*)\s*=\s*&\s*([A-Za-z_][A-Za-z0-9_]*)\s*$/.exec(text);
  return m === null ? undefined : { name: m[1] ?? '', target: m[2] ?? '' };
}

/** Element sizes of the C types an array may be declared with. */
const ELEMENT_SIZE: Readonly<Record<string, number>> = { int: 4, int32_t: 4, uint32_t: 4, long: 8, int64_t: 8, uint64_t: 8 };

/** `int x[3]={0,0,1}` → its type, name, length and initial values (all 0 when not given). */
function arrayInit(text: string): { type: string; name: string; length: number; values: bigint[] } | undefined {
  const m = /^\s*([A-Za-z_][A-Za-z0-9_]*)\s+([A-Za-z_][A-Za-z0-9_]*)\s*\[\s*(\d+)\s*\]\s*(?:=\s*\{([^}]*)\})?\s*$/.exec(text);
  if (m === null) return undefined;
  const length = Number(m[3]);
  const items = m[4] === undefined ? [] : m[4].split(',').map((x) => x.trim());
  if (items.some((x) => !/^-?(0x[0-9a-fA-F]+|\d+)$/.test(x)) || items.length > length) return undefined;
  const values = Array.from({ length }, (_, i) => (items[i] === undefined ? 0n : BigInt(items[i] as string)));
  return { type: m[1] ?? '', name: m[2] ?? '', length, values };
}

/** Whether the test's init block holds the address of PTE(name) in a register or memory cell. */
function holdsPteAddress(t: LitmusTest, name: string): boolean {
  const holds = (v: Value | undefined): boolean =>
    v !== undefined && ((v.kind === 'loc' && (v.ref.kind === 'pte' || v.ref.kind === 'ttd') && v.ref.name === name) || (v.kind === 'array' && v.items.some(holds)));
  return t.init.some((i) => i.kind !== 'other' && holds(i.value));
}

class Loader {
  private readonly values = new ValueTable();
  private vars: string[] = [];
  private varIndex = new Map<string, number>();
  private threads: ThreadProgram[] = [];

  constructor(
    private readonly test: LitmusTest,
    private readonly opts: LoadOptions,
  ) {}

  load(): Program {
    const t = this.test;
    this.collectVars();
    const faultMode = this.headers();
    const nprocs = t.threads.filter((c) => !c.handler).reduce((m, c) => Math.max(m, c.proc + 1), 0);
    if (nprocs === 0) throw new Unsup('no threads', { line: 1, col: 1, endLine: 1, endCol: 1 }, 'the test has no P0 column');
    const mem: number[] = [];
    for (let v = 0; v < this.vars.length; v++) {
      mem[dataCell(v)] = 0;
      mem[pteCell(v)] = this.values.intern({ k: 'desc', d: defaultDesc(v) });
    }
    // C arrays: element 0 is the variable's cell; the others come after every variable's pair.
    const arrays: (ArrayLayout | undefined)[] = this.vars.map(() => undefined);
    for (const item of t.init) {
      if (item.kind !== 'other' || item.construct !== 'array') continue;
      const a = arrayInit(item.text);
      const size = a === undefined ? undefined : ELEMENT_SIZE[a.type];
      if (a === undefined || size === undefined || a.length < 1) {
        throw new Unsup('array', item.span, `array declaration ${item.text} is not supported: give TYPE NAME[N] or TYPE NAME[N]={v,...} with integer values, TYPE one of ${Object.keys(ELEMENT_SIZE).join(', ')}`);
      }
      const v = this.var(a.name, item.span);
      if (arrays[v] !== undefined) throw new Unsup('array', item.span, `${a.name} is declared twice`);
      const layout: ArrayLayout = { length: a.length, size, base: mem.length };
      arrays[v] = layout;
      a.values.forEach((x, k) => {
        mem[k === 0 ? dataCell(v) : layout.base + k - 1] = this.values.int(x);
      });
    }
    const regs: number[][] = [];
    // (built by push: `new Array(n)` makes a holey array, and slices of it stay holey, while
    // states rebuilt from packed data have packed lists; two kinds of list cost deoptimizations)
    for (let p = 0; p < nprocs; p++) {
      const row: number[] = [];
      for (let r = 0; r < 31; r++) row.push(0);
      regs.push(row);
    }
    this.buildThreads(nprocs);
    for (const item of t.init) {
      if (item.kind === 'other' && item.construct === 'array') continue; // laid out above
      if (item.kind === 'other') {
        // `int *p = &z`: the cell at PA(p) holds the virtual address of z.
        const p = pointerInit(item.text);
        if (p === undefined) throw new Unsup(item.construct, item.span, `${item.construct} in the init block (${item.text}) is not supported`);
        mem[dataCell(this.var(p.name, item.span))] = this.values.intern({ k: 'va', v: this.var(p.target, item.span), off: 0n });
        continue;
      }
      if (item.kind === 'reg') {
        const r = this.regIndex(item.reg.reg, item.reg.span);
        const row = regs[item.reg.proc];
        if (row === undefined) throw new Unsup('register of a missing thread', item.reg.span, `P${item.reg.proc} is not a thread of this test`);
        row[r] = item.value === undefined ? 0 : this.value(item.value, -1);
        continue;
      }
      const v = this.var(item.loc.name, item.loc.span);
      if (item.loc.kind === 'pa') throw new Unsup('PA(x) as a location', item.loc.span, 'initialising physical memory PA(x) directly is not supported; write [x]=...');
      if (item.loc.kind === 'var') mem[dataCell(v)] = item.value === undefined ? 0 : this.value(item.value, -1);
      else {
        // pte / ttd: the level-3 descriptor of v. An uninitialised declaration keeps the default.
        if (item.value !== undefined) mem[pteCell(v)] = this.value(item.value, v);
      }
    }
    const observed: Observed[] = [];
    const obsIndex = new Map<string, number>();
    const observe = (o: Observed): number => {
      const key = o.name;
      let i = obsIndex.get(key);
      if (i === undefined) {
        i = observed.length;
        obsIndex.set(key, i);
        observed.push(o);
      }
      return i;
    };
    for (const l of t.locations) {
      if (l.kind === 'reg') observe(this.regObs(l.reg.proc, l.reg.reg, l.reg.span));
      else if (l.kind === 'mem') observe(this.memObs(l.loc));
      else observe(this.faultObs(l.fault));
    }
    const resolve = (p: Prop): RProp => this.prop(p, observe);
    const condition: RCondition | undefined =
      t.condition === undefined ? undefined : { quantifier: t.condition.quantifier, prop: resolve(t.condition.prop), text: '' };
    const filter = t.filter === undefined ? undefined : resolve(t.filter);
    // herd prints registers (by thread, then number), then data locations, then descriptors
    // (each by name), then fault atoms.
    const rank = (o: Observed): number => (o.kind === 'reg' ? 0 : o.kind === 'mem' ? (o.pte ? 2 : 1) : 3);
    const order = observed.map((o, i) => ({ o, i }));
    order.sort((a, b) => {
      const ra = rank(a.o);
      const rb = rank(b.o);
      if (ra !== rb) return ra - rb;
      if (a.o.kind === 'reg' && b.o.kind === 'reg') return a.o.proc - b.o.proc || a.o.reg - b.o.reg;
      if (a.o.kind === 'mem' && b.o.kind === 'mem') return a.o.name < b.o.name ? -1 : a.o.name > b.o.name ? 1 : 0;
      return a.i - b.i;
    });
    const remap = new Map(order.map((x, j) => [x.i, j]));
    const renumber = (p: RProp): RProp => {
      switch (p.kind) {
        case 'eq':
          return { ...p, obs: remap.get(p.obs) ?? -1 };
        case 'not':
          return { kind: 'not', arg: renumber(p.arg) };
        case 'and':
        case 'or':
        case 'implies':
          return { kind: p.kind, left: renumber(p.left), right: renumber(p.right) };
        default:
          return p;
      }
    };
    // Every CPU's register list ends after the highest register the program names (in code or
    // init; XZR is no list entry): a register write copies the list, and the digests hash it.
    // Registers past the end read as 0, which no instruction can have changed. One length for
    // every CPU, so CPUs with the same code and registers stay equal lists (symmetry).
    let top = 0;
    for (const th of this.threads) {
      for (const slot of th.code) {
        const u = regUse(slot.op);
        for (const r of u.reads) top = Math.max(top, r + 1);
        for (const r of u.writes) top = Math.max(top, r + 1);
      }
    }
    for (const row of regs) for (let r = 0; r < row.length; r++) if (row[r] !== 0) top = Math.max(top, r + 1);
    for (const row of regs) row.length = top;
    const hwUpdates = this.threads.some((th) => th.ha || th.hd);
    const mutablePte = this.vars.map((_, v) => hwUpdates || holdsPteAddress(t, this.vars[v] ?? ''));
    const program: Program = {
      test: t,
      vars: this.vars,
      values: this.values,
      threads: this.threads,
      initMem: mem,
      initRegs: regs,
      faultMode,
      unroll: this.opts.unroll ?? DEFAULT_UNROLL,
      mutablePte,
      arrays,
      observed: order.map((x) => x.o),
      ...(condition === undefined ? {} : { condition: { ...condition, prop: renumber(condition.prop) } }),
      ...(filter === undefined ? {} : { filter: renumber(filter) }),
      ...(t.condition === undefined ? {} : { conditionAst: t.condition.prop }),
    };
    return program;
  }

  // ---- names ----------------------------------------------------------------------------

  private collectVars(): void {
    const names = new Set<string>();
    const addLoc = (l: LocRef): void => void names.add(l.name);
    const addVal = (v: Value | undefined): void => {
      if (v === undefined) return;
      if (v.kind === 'loc') addLoc(v.ref);
      else if (v.kind === 'desc') v.fields.forEach((f) => addVal(f.value));
      else if (v.kind === 'addr-of') names.add(v.name);
    };
    const addProp = (p: Prop): void => {
      switch (p.kind) {
        case 'eq':
          if (p.lhs.kind === 'mem') addLoc(p.lhs.loc);
          addVal(p.rhs);
          break;
        case 'fault':
          if (p.fault.loc !== undefined) names.add(p.fault.loc);
          break;
        case 'not':
          addProp(p.arg);
          break;
        case 'and':
        case 'or':
        case 'implies':
          addProp(p.left);
          addProp(p.right);
          break;
        default:
      }
    };
    for (const i of this.test.init) {
      if (i.kind === 'mem') addLoc(i.loc);
      if (i.kind !== 'other') addVal(i.value);
      const p = i.kind === 'other' ? pointerInit(i.text) : undefined;
      if (p !== undefined) names.add(p.name).add(p.target);
      const a = i.kind === 'other' ? arrayInit(i.text) : undefined;
      if (a !== undefined) names.add(a.name);
    }
    for (const l of this.test.locations) {
      if (l.kind === 'mem') addLoc(l.loc);
      if (l.kind === 'fault' && l.fault.loc !== undefined) names.add(l.fault.loc);
    }
    if (this.test.condition !== undefined) addProp(this.test.condition.prop);
    if (this.test.filter !== undefined) addProp(this.test.filter);
    this.vars = [...names].sort();
    this.vars.forEach((n, i) => this.varIndex.set(n, i));
  }

  private var(name: string, span: Span): number {
    const v = this.varIndex.get(name);
    if (v === undefined) throw new Unsup('unknown location', span, `unknown location ${name}`);
    return v;
  }

  private headers(): FaultMode {
    let mode: FaultMode | undefined;
    const nprocs = this.test.threads.reduce((m, c) => Math.max(m, c.proc + 1), 0);
    this.ha = new Array<boolean>(nprocs).fill(false);
    this.hd = new Array<boolean>(nprocs).fill(false);
    this.el0 = new Array<boolean>(nprocs).fill(false);
    for (const h of this.test.headers) {
      const key = h.key.toLowerCase();
      if (key === 'variant') {
        const v = variantFaultMode(h.value);
        if (!v.ok) throw new Unsup(`Variant=${v.word}`, h.span, v.message);
        if (v.mode !== undefined) mode = v.mode;
      } else if (key === 'tthm') {
        for (const w of h.value.split(/\s+/).filter((x) => x !== '')) {
          const m = /^(?:P(\d+):)?(HA|HD)$/i.exec(w);
          if (m === null) throw new Unsup(`TTHM=${w}`, h.span, `unsupported TTHM value ${w}: supported are HA, HD, Pn:HA, Pn:HD`);
          const procs = m[1] === undefined ? this.ha.map((_, i) => i) : [Number(m[1])];
          for (const p of procs) {
            // HD implies HA (Arm ARM D8.5.2: dirty-state management requires access-flag management).
            this.ha[p] = true;
            if ((m[2] ?? '').toUpperCase() === 'HD') this.hd[p] = true;
          }
        }
      } else if (key === 'el0') {
        for (const w of h.value.split(/[,\s]+/).filter((x) => x !== '')) {
          const m = /^P(\d+)$/.exec(w);
          if (m === null) throw new Unsup(`EL0=${w}`, h.span, `EL0 lists threads as P0,P1,...; found ${w}`);
          this.el0[Number(m[1])] = true;
        }
      }
    }
    return mode ?? this.opts.defaultFaultMode ?? 'fatal';
  }
  private ha: boolean[] = [];
  private hd: boolean[] = [];
  private el0: boolean[] = [];

  private regIndex(name: string, span: Span): number {
    const m = /^[XW](\d+)$/.exec(name.toUpperCase());
    if (m === null || Number(m[1]) > 30) throw new Unsup(`register ${name}`, span, `register ${name} is not supported: X0-X30 and W0-W30 are`);
    return Number(m[1]);
  }

  // ---- threads --------------------------------------------------------------------------

  private buildThreads(nprocs: number): void {
    const cols = this.test.threads;
    for (let p = 0; p < nprocs; p++) {
      const main = cols.find((c) => c.proc === p && !c.handler);
      const handler = cols.find((c) => c.proc === p && c.handler);
      const code: CodeSlot[] = [];
      const labels = new Map<string, number>();
      const addColumn = (col: ThreadCode | undefined): void => {
        if (col === undefined) return;
        let pending: string[] = [];
        for (const st of col.code) {
          if (st.kind === 'label') {
            if (labels.has(st.name)) throw new Unsup('duplicate label', st.span, `label ${st.name} is defined twice in P${p}`);
            labels.set(st.name, -1);
            pending.push(st.name);
            continue;
          }
          const d = decode(st.instr);
          if (!d.ok) throw new Unsup(`instruction ${st.instr.mnemonic}`, d.error.span, d.error.message);
          for (const l of pending) labels.set(l, code.length);
          code.push({ op: uniformOp(d.op), instr: st.instr, labels: pending });
          pending = [];
        }
        for (const l of pending) labels.set(l, code.length);
      };
      addColumn(main);
      const mainEnd = code.length;
      const handlerStart = handler === undefined ? -1 : code.length;
      addColumn(handler);
      const orphans = cols.filter((c) => c.proc >= nprocs);
      const orphan = orphans[0];
      if (orphan !== undefined) throw new Unsup('handler without thread', orphan.span, `P${orphan.proc}.F has no P${orphan.proc} column`);
      this.threads.push({
        proc: p,
        code,
        mainEnd,
        handlerStart,
        labels,
        el0: this.el0[p] ?? false,
        ha: this.ha[p] ?? false,
        hd: this.hd[p] ?? false,
      });
    }
  }

  // ---- values ---------------------------------------------------------------------------

  /** The value id of an init or condition value; `pteOf` >= 0 when it initialises PTE(pteOf). */
  private value(v: Value, pteOf: number): number {
    const V = this.values;
    switch (v.kind) {
      case 'int':
        if (pteOf >= 0) {
          if (v.value === 0n) return V.intern({ k: 'desc', d: { ...defaultDesc(pteOf), valid: 0 } });
          throw new Unsup('integer descriptor', v.span, 'a descriptor must be written as a literal like (oa:PA(x),valid:0)');
        }
        return V.int(wrap64(v.value));
      case 'loc': {
        const x = this.var(v.ref.name, v.ref.span);
        switch (v.ref.kind) {
          case 'var':
            return V.intern({ k: 'va', v: x, off: 0n });
          case 'pte':
          case 'ttd':
            return V.intern({ k: 'pte', v: x });
          case 'pa':
            return V.intern({ k: 'pa', v: x });
        }
        throw new Error('[internal] loc kind');
      }
      case 'desc':
        if (v.type === 'parel1_t') return V.intern(this.par(v.fields, v.span));
        if (v.type !== undefined && v.type !== 'pteval_t') throw new Unsup(`${v.type} value`, v.span, `typed value ${v.type}:(...) is not supported: pteval_t and parel1_t are`);
        return V.intern({ k: 'desc', d: this.desc(v.fields, pteOf) });
      case 'label': {
        const t = this.threads[v.proc];
        const pc = t?.labels.get(v.label);
        if (pc === undefined) throw new Unsup('label value', v.span, `no label ${v.label} in P${v.proc}`);
        return V.intern({ k: 'label', proc: v.proc, label: v.label, pc });
      }
      case 'attrs':
      case 'addr-of':
      case 'array':
        throw new Unsup(v.kind === 'addr-of' ? 'pointer value &x' : v.kind, v.span, `a ${v.kind} value is not supported here`);
    }
  }

  /** A PAR_EL1 literal: `parel1_t:(oa:PA(x))` or `parel1_t:(f:1)`. */
  private par(fields: readonly { name: string; value: Value; span: Span }[], span: Span): Val {
    let oa = -1;
    let f: 0 | 1 = 0;
    for (const fl of fields) {
      if (fl.name === 'oa' && fl.value.kind === 'loc' && fl.value.ref.kind === 'pa') oa = this.var(fl.value.ref.name, fl.value.ref.span);
      else if (fl.name === 'f' && fl.value.kind === 'int' && (fl.value.value === 0n || fl.value.value === 1n)) f = Number(fl.value.value) as 0 | 1;
      else throw new Unsup(`PAR_EL1 field ${fl.name}`, fl.span, 'a parel1_t value has fields oa:PA(x) and f:0|1');
    }
    if (f === 1) oa = -1;
    if (f === 0 && oa < 0) throw new Unsup('PAR_EL1 value', span, 'parel1_t needs oa:PA(x) or f:1');
    return { k: 'par', oa, f };
  }

  private desc(fields: readonly { name: string; value: Value; span: Span }[], pteOf: number): Desc {
    let d: Desc = pteOf >= 0 ? defaultDesc(pteOf) : { ...defaultDesc(0), oa: -1 };
    for (const f of fields) {
      if (!DESC_FIELDS.has(f.name)) throw new Unsup(`descriptor field ${f.name}`, f.span, `unknown descriptor field ${f.name}: supported are oa, valid, af, db, dbm, el0, x, attrs`);
      if (f.name === 'oa') {
        if (f.value.kind !== 'loc' || f.value.ref.kind !== 'pa') throw new Unsup('oa value', f.span, 'oa takes PA(x) or phy_x');
        d = { ...d, oa: this.var(f.value.ref.name, f.value.ref.span) };
      } else if (f.name === 'attrs') {
        if (f.value.kind !== 'attrs') throw new Unsup('attrs value', f.span, 'attrs takes a list like (Normal,iNC,oNC)');
        d = { ...d, attrs: f.value.names.join(',') };
      } else {
        if (f.value.kind !== 'int' || (f.value.value !== 0n && f.value.value !== 1n)) throw new Unsup(`${f.name} value`, f.span, `${f.name} takes 0 or 1`);
        d = { ...d, [f.name]: Number(f.value.value) as 0 | 1 };
      }
    }
    return d;
  }

  // ---- condition ------------------------------------------------------------------------

  private regObs(proc: number, name: string, span: Span): Observed {
    const reg = this.regIndex(name, span);
    if (proc >= this.threads.length) throw new Unsup('register of a missing thread', span, `P${proc} is not a thread of this test`);
    return { kind: 'reg', proc, reg, name: `${proc}:X${reg}` };
  }

  private memObs(l: LocRef): Observed {
    const v = this.var(l.name, l.span);
    if (l.kind === 'pa') throw new Unsup('PA(x) as a location', l.span, 'PA(x) cannot be observed; observe [x] or [PTE(x)]');
    const pte = l.kind === 'pte' || l.kind === 'ttd';
    return { kind: 'mem', v, pte, name: pte ? `[PTE(${l.name})]` : `[${l.name}]` };
  }

  private faultObs(f: FaultAtom): Observed & { kind: 'fault' } {
    let pc = -1;
    if (f.label !== undefined) {
      const t = this.threads[f.proc];
      if (t === undefined) throw new Unsup('fault of a missing thread', f.span, `P${f.proc} is not a thread of this test`);
      const at = t.labels.get(f.label);
      if (at === undefined) throw new Unsup('fault label', f.span, `no label ${f.label} in P${f.proc}`);
      pc = at;
    }
    const v = f.loc === undefined ? -1 : this.var(f.loc, f.span);
    let name = `P${f.proc}${f.label === undefined ? '' : `:${f.label}`}`;
    if (f.loc !== undefined) name += `,${f.loc}`;
    if (f.faultType !== undefined) name += `,${f.faultType}`;
    return { kind: 'fault', proc: f.proc, pc, v, faultType: f.faultType ?? '', name };
  }

  private prop(p: Prop, observe: (o: Observed) => number): RProp {
    switch (p.kind) {
      case 'true':
        return { kind: 'const', value: true };
      case 'false':
        return { kind: 'const', value: false };
      case 'not':
        return { kind: 'not', arg: this.prop(p.arg, observe) };
      case 'and':
      case 'or':
      case 'implies':
        return { kind: p.kind, left: this.prop(p.left, observe), right: this.prop(p.right, observe) };
      case 'fault': {
        const o = this.faultObs(p.fault);
        observe(o);
        return { kind: 'fault', proc: o.proc, pc: o.pc, v: o.v, faultType: o.faultType };
      }
      case 'eq': {
        const o = this.condLoc(p.lhs);
        const pteOf = o.kind === 'mem' && o.pte ? o.v : -1;
        return { kind: 'eq', obs: observe(o), value: this.value(p.rhs, pteOf), negated: p.negated };
      }
    }
  }

  private condLoc(l: CondLoc): Observed {
    return l.kind === 'reg' ? this.regObs(l.reg.proc, l.reg.reg, l.reg.span) : this.memObs(l.loc);
  }
}
