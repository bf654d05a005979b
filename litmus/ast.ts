// The parsed form of a herd7 AArch64 litmus test. Purely syntactic: names are not resolved,
// instructions are not decoded (model/decode.ts does that), so the parser can accept every
// form in the corpora and leave "is this supported?" to the model, which reports it by span.

/** A source range, 1-based lines and columns; `end*` point just past the last character. */
export interface Span {
  readonly line: number;
  readonly col: number;
  readonly endLine: number;
  readonly endCol: number;
}

/** A user-facing problem in a litmus file: what was expected, where. */
export interface LitmusError {
  readonly file: string;
  readonly line: number;
  readonly col: number;
  readonly message: string;
}

/** Result of parsing one file: the test, or the first syntax error. */
export type ParseResult =
  | { readonly ok: true; readonly test: LitmusTest }
  | { readonly ok: false; readonly error: LitmusError };

/** One header line `key=value` between the title line and the init block. */
export interface Header {
  readonly key: string;
  readonly value: string;
  readonly span: Span;
}

/**
 * A named location as it is written. `var` is a virtual address (`x`), `pte` the level-3
 * descriptor that maps it (`pte_x`, `PTE(x)`), `ttd` a translation-table descriptor (`TTD(x)`),
 * `pa` the physical page (`phy_x`, `PA(x)`).
 */
export interface LocRef {
  readonly kind: 'var' | 'pte' | 'ttd' | 'pa';
  readonly name: string;
  /** true when written in brackets: `[x]`, `[PTE(x)]`. */
  readonly bracketed: boolean;
  readonly span: Span;
}

/** A field of a descriptor literal: `oa:PA(y)`, `valid:0`, `attrs:(Normal,iNC,oNC)`. */
export interface DescField {
  readonly name: string;
  readonly value: Value;
  readonly span: Span;
}

/** A value on the right of `=` in init or in a condition. */
export type Value =
  | { readonly kind: 'int'; readonly value: bigint; readonly span: Span }
  /** a bare symbol: a virtual address `x`, or a legacy `pte_x` / `phy_x` symbol (see `ref`) */
  | { readonly kind: 'loc'; readonly ref: LocRef; readonly span: Span }
  /**
   * descriptor literal `(oa:PA(y),valid:0)`; `type` is set when a type is written before it:
   * `parel1_t:(oa:PA(x))`, `parel1_t:(f:1)` (a PAR_EL1 value, compared after `AT`/`MRS`)
   */
  | { readonly kind: 'desc'; readonly type?: string; readonly fields: readonly DescField[]; readonly span: Span }
  /** `attrs:(Normal,iNC,oNC)`: only inside a descriptor literal */
  | { readonly kind: 'attrs'; readonly names: readonly string[]; readonly span: Span }
  /** `label:"P1:L1"` */
  | { readonly kind: 'label'; readonly proc: number; readonly label: string; readonly span: Span }
  /** `&z` */
  | { readonly kind: 'addr-of'; readonly name: string; readonly span: Span }
  /** `{0,0,0}` */
  | { readonly kind: 'array'; readonly items: readonly Value[]; readonly span: Span };

/** A register of a thread as written in init, conditions and locations: `1:X0`, `0:W2`, `2:x1`. */
export interface RegRef {
  readonly proc: number;
  /** canonical upper-case name: `X0`, `W2`, `SP`... (W and X name the same register) */
  readonly reg: string;
  readonly span: Span;
}

/** One item of the init block. `type` is the C-like type prefix if any (`int`, `pteval_t`, ...). */
export type InitItem =
  | { readonly kind: 'reg'; readonly reg: RegRef; readonly type?: string; readonly value?: Value; readonly span: Span }
  | { readonly kind: 'mem'; readonly loc: LocRef; readonly type?: string; readonly value?: Value; readonly span: Span }
  /** a C declaration the loader interprets from its text: `int x[3]=...` (an array), `int *p=&z` (a pointer) */
  | { readonly kind: 'other'; readonly construct: string; readonly text: string; readonly span: Span };

/** An instruction operand, syntactically. */
export type Operand =
  /** `X1`, `W2`, `XZR`, `WZR`, `SP` (upper-cased) */
  | { readonly kind: 'reg'; readonly name: string; readonly span: Span }
  /** `#1`, `1`, `#0x10` */
  | { readonly kind: 'imm'; readonly value: bigint; readonly span: Span }
  /** `[X1]`, `[X1,X2]`, `[X1,W2,SXTW]`, `[X1,#8]`, `[X1,X2,LSL #3]` */
  | {
      readonly kind: 'mem';
      readonly base: string;
      readonly offset?: { readonly kind: 'reg'; readonly name: string } | { readonly kind: 'imm'; readonly value: bigint };
      /** `SXTW`, `UXTW`, `LSL`, with an optional amount */
      readonly extend?: { readonly op: string; readonly amount?: bigint };
      readonly span: Span;
    }
  /** a bare identifier: label (`L0`), barrier option (`ISH`, `SY`, `LD`), condition (`EQ`), sysreg (`ELR_EL1`), extend (`SXTW`) */
  | { readonly kind: 'ident'; readonly name: string; readonly span: Span }
  /** shift/extend with amount as a trailing operand: `LSL #3` */
  | { readonly kind: 'shift'; readonly op: string; readonly amount: bigint; readonly span: Span };

/** One instruction as written: upper-cased mnemonic incl. suffixes (`B.EQ`, `TLBI`), operands in order. */
export interface Instr {
  readonly mnemonic: string;
  readonly operands: readonly Operand[];
  readonly span: Span;
  /** the instruction text as written, for traces and error messages */
  readonly text: string;
}

/** A statement of a thread's column: a label or an instruction. */
export type Stmt =
  | { readonly kind: 'label'; readonly name: string; readonly span: Span }
  | { readonly kind: 'instr'; readonly instr: Instr };

/** A column of the program table: `P0` (handler false) or `P1.F` (P1's fault handler). */
export interface ThreadCode {
  readonly proc: number;
  readonly handler: boolean;
  readonly code: readonly Stmt[];
  /** the column header's span */
  readonly span: Span;
}

/** `fault(P0:L0,x,MMU:Translation)` and its variants; every part but `proc` is optional. */
export interface FaultAtom {
  readonly proc: number;
  readonly label?: string;
  readonly loc?: string;
  /** as written: `MMU:Translation`, `MMU:Permission`, `MMU:AccessFlag`, `UndefinedInstruction`, ... */
  readonly faultType?: string;
  readonly span: Span;
}

/** A location named in `locations [...]` or compared in a condition. */
export type CondLoc =
  | { readonly kind: 'reg'; readonly reg: RegRef }
  | { readonly kind: 'mem'; readonly loc: LocRef };

/** A proposition of the final condition or filter. */
export type Prop =
  | { readonly kind: 'true' | 'false'; readonly span: Span }
  | { readonly kind: 'eq'; readonly lhs: CondLoc; readonly rhs: Value; readonly negated: boolean; readonly span: Span }
  | { readonly kind: 'fault'; readonly fault: FaultAtom; readonly span: Span }
  | { readonly kind: 'not'; readonly arg: Prop; readonly span: Span }
  | { readonly kind: 'and' | 'or' | 'implies'; readonly left: Prop; readonly right: Prop; readonly span: Span };

/** An entry of `locations [...]`. */
export type LocationItem =
  | { readonly kind: 'reg'; readonly reg: RegRef; readonly span: Span }
  | { readonly kind: 'mem'; readonly loc: LocRef; readonly span: Span }
  | { readonly kind: 'fault'; readonly fault: FaultAtom; readonly span: Span };

/** The final condition: `exists`, `~exists` or `forall` over a proposition. */
export interface Condition {
  readonly quantifier: 'exists' | 'not exists' | 'forall';
  readonly prop: Prop;
  readonly span: Span;
}

/** A whole parsed test. */
export interface LitmusTest {
  readonly file: string;
  /** `AArch64` */
  readonly arch: string;
  /** the name on the title line (kinds files and herd output use it) */
  readonly name: string;
  readonly headers: readonly Header[];
  readonly init: readonly InitItem[];
  readonly threads: readonly ThreadCode[];
  readonly locations: readonly LocationItem[];
  readonly filter?: Prop;
  /** absent when the test has only `locations [...]` */
  readonly condition?: Condition;
  /** the whole source text (workers re-parse from it; traces quote it) */
  readonly source: string;
}
