// Values a register or memory cell can hold. Litmus tests compute with symbols (virtual
// addresses, descriptor addresses, descriptors), not with bit patterns, exactly as herd does,
// so a value is a small tagged record and the machine state stores interned ids of them.

/** Memory attributes as herd spells them: `Normal` (write-back, inner shareable) is the default. */
export type Attrs = string;

/**
 * A level-3 translation-table descriptor (Arm ARM D8.3 "Translation table descriptor formats").
 * `oa` is the index of the variable whose physical page it maps, or -1 when absent.
 */
export interface Desc {
  readonly oa: number;
  readonly valid: 0 | 1;
  /** Access flag (D8.5.1): 0 makes a walk fault unless hardware AF update (TTHM=HA) is on. */
  readonly af: 0 | 1;
  /** Dirty-state bit: as in herd, 1 means writable (AP[2] clear); 0 means read-only. */
  readonly db: 0 | 1;
  /** Dirty Bit Modifier (D8.5.2): with TTHM=HD a store through db:0,dbm:1 sets db instead of faulting. */
  readonly dbm: 0 | 1;
  /** Unprivileged access allowed (AP[1]). */
  readonly el0: 0 | 1;
  /** Executable (not XN); only instruction fetch would look at it. */
  readonly x: 0 | 1;
  readonly attrs: Attrs;
}

/** The descriptor herd puts in every `PTE(x)` that the test does not initialise. */
export function defaultDesc(v: number): Desc {
  return { oa: v, valid: 1, af: 1, db: 1, dbm: 0, el0: 1, x: 1, attrs: 'Normal' };
}

/** A value. Integers are 64-bit two's complement, kept as bigint normalised to signed. */
export type Val =
  | { readonly k: 'int'; readonly n: bigint }
  /** virtual address of variable `v` plus a byte offset */
  | { readonly k: 'va'; readonly v: number; readonly off: bigint }
  /** address of the descriptor PTE(v) */
  | { readonly k: 'pte'; readonly v: number }
  /** physical address of v's page: PA(v) */
  | { readonly k: 'pa'; readonly v: number }
  /** virtual page number of v (VA >> 12), the operand of TLBI by VA */
  | { readonly k: 'page'; readonly v: number }
  | { readonly k: 'desc'; readonly d: Desc }
  /** PAR_EL1 after AT (Arm ARM D17.2 PAR_EL1): the output address, or F=1 when translation failed */
  | { readonly k: 'par'; readonly oa: number; readonly f: 0 | 1 }
  /** a code address: label `label` of thread `proc` (resolved to `pc` there) */
  | { readonly k: 'label'; readonly proc: number; readonly label: string; readonly pc: number };

const MASK64 = (1n << 64n) - 1n;

/** Wraps to signed 64-bit. */
export function wrap64(n: bigint): bigint {
  return BigInt.asIntN(64, n & MASK64);
}

/** Wraps to signed 32-bit then sign-extends nothing: W registers hold the zero-extended low half. */
export function wrap32(n: bigint): bigint {
  return BigInt.asUintN(32, n);
}

/** Canonical key of a value: equal keys iff equal values. */
export function valKey(x: Val): string {
  switch (x.k) {
    case 'int':
      return `i${x.n}`;
    case 'va':
      return `v${x.v}+${x.off}`;
    case 'pte':
      return `t${x.v}`;
    case 'pa':
      return `p${x.v}`;
    case 'page':
      return `g${x.v}`;
    case 'desc': {
      const d = x.d;
      return `d${d.oa},${d.valid}${d.af}${d.db}${d.dbm}${d.el0}${d.x},${d.attrs}`;
    }
    case 'label':
      return `l${x.proc}:${x.pc}`;
    case 'par':
      return `r${x.oa},${x.f}`;
  }
}

// invariant: ids are dense from 0; `vals[id]` has key `keys[id]`; id 0 is the integer 0, so a
// freshly zeroed register file means "all registers hold 0".
/** Interning table: a test's values get small integer ids, stable for the table's lifetime. */
export class ValueTable {
  private readonly ids = new Map<string, number>();
  private readonly vals: Val[] = [];
  /** a 32-bit hash per id that depends only on the value, not on interning order */
  readonly hashes: number[] = [];

  constructor() {
    this.intern({ k: 'int', n: 0n });
  }

  /** The id of `x`, adding it if new. */
  intern(x: Val): number {
    const key = valKey(x);
    let id = this.ids.get(key);
    if (id === undefined) {
      id = this.vals.length;
      this.ids.set(key, id);
      this.vals.push(x);
      this.hashes.push(hashString(key));
    }
    return id;
  }

  /** The value of an id. */
  get(id: number): Val {
    const v = this.vals[id];
    if (v === undefined) throw new Error(`[internal] unknown value id ${id}`);
    return v;
  }

  /** Shorthand for interning an integer. */
  int(n: bigint): number {
    return this.intern({ k: 'int', n });
  }
}

/** FNV-1a over the UTF-16 code units of `s`. */
export function hashString(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** Descriptor fields herd prints, in its order, with the defaults it omits. */
export function formatDesc(d: Desc, varName: (v: number) => string): string {
  const parts: string[] = [];
  // herd's order (lib/AArch64PteVal.ml): oa always, then non-default af, db, dbm, valid, el0, attrs.
  if (d.oa >= 0) parts.push(`oa:PA(${varName(d.oa)})`);
  if (d.af === 0) parts.push('af:0');
  if (d.db === 0) parts.push('db:0');
  if (d.dbm === 1) parts.push('dbm:1');
  if (d.valid === 0) parts.push('valid:0');
  if (d.el0 === 0) parts.push('el0:0');
  if (d.x === 0) parts.push('x:0');
  if (d.attrs !== 'Normal') parts.push(`attrs:(${d.attrs})`);
  return `(${parts.join(', ')})`;
}

/** A value as herd prints it in a final state. */
export function formatVal(x: Val, varName: (v: number) => string): string {
  switch (x.k) {
    case 'int':
      return x.n.toString();
    case 'va':
      return x.off === 0n ? varName(x.v) : `${varName(x.v)}+${x.off}`;
    case 'pte':
      return `PTE(${varName(x.v)})`;
    case 'pa':
      return `PA(${varName(x.v)})`;
    case 'page':
      return `page(${varName(x.v)})`;
    case 'desc':
      return formatDesc(x.d, varName);
    case 'label':
      return `label:"P${x.proc}:${x.label}"`;
    case 'par':
      return x.f === 1 ? '(parel1_t:(f:1))' : `(parel1_t:(oa:PA(${varName(x.oa)})))`;
  }
}
