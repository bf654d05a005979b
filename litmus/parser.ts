// Recursive-descent parser for herd7 litmus tests (AArch64 and its VMSA extensions).
//
// File layout:
//   AArch64 NAME                       title line (name = rest of the line)
//   "diy cycle" / key=value            header lines (free text, read line by line)
//   { init items separated by ';' }
//   P0 | P1 | P1.F ;                   program table: header row, then rows of cells
//   ... | ... ;
//   locations [...]  filter PROP  exists|~exists|forall PROP
//
// The parser is purely syntactic (see ast.ts): mnemonics, registers and names are not checked
// against anything, so every test of the corpora parses and the model decides what it supports.

import type {
  CondLoc,
  Condition,
  DescField,
  FaultAtom,
  Header,
  InitItem,
  Instr,
  LitmusTest,
  LocRef,
  LocationItem,
  Operand,
  ParseResult,
  Prop,
  Span,
  Stmt,
  ThreadCode,
  Value,
} from './ast.js';
import { Lexer, describeToken } from './lexer.js';
import type { Token } from './lexer.js';

type DescValue = Extract<Value, { kind: 'desc' }>;

/** Internal: the first syntax error, thrown through the recursive descent and caught by `parseLitmus`. */
class LitmusSyntaxError {
  constructor(
    readonly line: number,
    readonly col: number,
    readonly message: string,
  ) {}
}

/** Registers as they appear in instructions and in `N:reg`: `X0`..`X30`, `W0`.., `XZR`, `WZR`, `SP`, `WSP`. */
const REG_RE = /^(?:[XW](?:\d+|ZR)|W?SP)$/i;
/** Column header of the program table: `P0`, `P1.F`. */
const COLUMN_RE = /^P(\d+)(\.F)?$/;
/** Thread name in a fault atom: `P0`. */
const PROC_RE = /^P(\d+)$/;
/** Value of `label:"P1:L1"`. */
const LABEL_VALUE_RE = /^\s*P?(\d+)\s*:\s*([A-Za-z_][A-Za-z0-9_.]*)\s*$/;
/** Function-like location forms and the kind of location they name. */
const LOC_FUNCS: Readonly<Record<string, LocRef['kind']>> = { PTE: 'pte', TTD: 'ttd', PA: 'pa' };

function span(from: Span, to: Span): Span {
  return { line: from.line, col: from.col, endLine: to.endLine, endCol: to.endCol };
}

/** The kind of location a bare symbol names: `pte_x` (pte of x), `phy_x` (page of x), else a virtual address. */
function symbolRef(name: string, sp: Span, bracketed: boolean): LocRef {
  if (name.length > 4 && name.startsWith('pte_')) return { kind: 'pte', name: name.slice(4), bracketed, span: sp };
  if (name.length > 4 && name.startsWith('phy_')) return { kind: 'pa', name: name.slice(4), bracketed, span: sp };
  return { kind: 'var', name, bracketed, span: sp };
}

/** Token-level parser for everything from the init block on. */
class Parser {
  private i = 0;

  constructor(
    private readonly toks: readonly Token[],
    private readonly src: string,
  ) {}

  // ---- token helpers ----

  private peek(k = 0): Token {
    const t = this.toks[Math.min(this.i + k, this.toks.length - 1)];
    if (t === undefined) throw new Error('token stream without eof');
    return t;
  }

  /** The last consumed token. */
  private prev(): Token {
    const t = this.toks[this.i - 1];
    if (t === undefined) throw new Error('no previous token');
    return t;
  }

  private next(): Token {
    const t = this.peek();
    if (t.kind !== 'eof') this.i++;
    return t;
  }

  private isPunct(t: Token, p: string): boolean {
    return t.kind === 'punct' && t.text === p;
  }

  private at(p: string, k = 0): boolean {
    return this.isPunct(this.peek(k), p);
  }

  private atIdent(name: string, k = 0): boolean {
    const t = this.peek(k);
    return t.kind === 'ident' && t.text === name;
  }

  private eat(p: string): Token | undefined {
    return this.at(p) ? this.next() : undefined;
  }

  private fail(t: Token, expected: string): never {
    throw new LitmusSyntaxError(t.span.line, t.span.col, `expected ${expected}, found ${describeToken(t)}`);
  }

  private expect(p: string, context: string): Token {
    const t = this.peek();
    if (!this.isPunct(t, p)) this.fail(t, `'${p}' ${context}`);
    return this.next();
  }

  private expectIdent(what: string): Token {
    const t = this.peek();
    if (t.kind !== 'ident') this.fail(t, what);
    return this.next();
  }

  private spanFrom(start: Token): Span {
    return span(start.span, this.prev().span);
  }

  private textFrom(start: Token): string {
    return this.src.slice(start.start, this.prev().end);
  }

  // ---- init block ----

  parseInit(): InitItem[] {
    this.expect('{', 'to open the init block');
    const items: InitItem[] = [];
    for (;;) {
      if (this.eat('}')) return items;
      if (this.eat(';')) continue;
      // `P0` is never a location for herd (it lexes as a thread name): the table has started.
      const t = this.peek();
      if (t.kind === 'ident' && COLUMN_RE.test(t.text) && !this.at(':', 1)) this.fail(t, "'}' to close the init block");
      items.push(this.parseInitItem());
      if (this.at(';') || this.at('}')) continue;
      this.fail(this.peek(), "';' or '}' after init item");
    }
  }

  /** `[type] N:reg [= v]`, `[type] loc [= v]`, `int x[3]={..}`, `int *p=&z`. */
  private parseInitItem(): InitItem {
    const start = this.peek();
    let type: string | undefined;
    // A type prefix is an identifier followed by what starts an item: `int x`, `pteval_t 0:X1`, `int *p`.
    while (this.peek().kind === 'ident' && !this.at('(', 1)) {
      const after = this.peek(1);
      if (!(after.kind === 'ident' || after.kind === 'num' || this.isPunct(after, '*'))) break;
      const word = this.next().text;
      type = type === undefined ? word : `${type} ${word}`;
    }
    const typed = type !== undefined ? { type } : {};
    if (this.eat('*')) {
      this.expectIdent('a pointer name after \'*\'');
      if (this.eat('=')) this.parseValue();
      return { kind: 'other', construct: 'pointer', text: this.textFrom(start), span: this.spanFrom(start) };
    }
    if (this.atRegRef()) {
      const reg = this.parseRegRef();
      if (!this.eat('=')) return { kind: 'reg', reg, ...typed, span: this.spanFrom(start) };
      const value = this.parseValue();
      return { kind: 'reg', reg, ...typed, value, span: this.spanFrom(start) };
    }
    const loc = this.parseLocRef('an init item (0:X1=x, x=1, [PTE(x)]=(...), pteval_t 0:X2=...)');
    if (this.at('[')) {
      // C array `int x[3]={0,0,0}`: the loader lays it out (model/load.ts arrayInit).
      this.next();
      const n = this.peek();
      if (n.kind !== 'num') this.fail(n, 'an array size');
      this.next();
      this.expect(']', 'after array size');
      if (this.eat('=')) this.parseValue();
      return { kind: 'other', construct: 'array', text: this.textFrom(start), span: this.spanFrom(start) };
    }
    if (!this.eat('=')) return { kind: 'mem', loc, ...typed, span: this.spanFrom(start) };
    const value = this.parseValue();
    return { kind: 'mem', loc, ...typed, value, span: this.spanFrom(start) };
  }

  /** true on `N:` or `PN:`, the start of a register reference */
  private atRegRef(): boolean {
    const t = this.peek();
    if (t.kind === 'num') return true;
    return t.kind === 'ident' && PROC_RE.test(t.text) && this.at(':', 1);
  }

  /** `0:X1`, `1:x1`, `P0:X7` (register upper-cased). */
  private parseRegRef(): { proc: number; reg: string; span: Span } {
    const n = this.peek();
    const proc = n.kind === 'num' ? n.value : n.kind === 'ident' ? PROC_RE.exec(n.text)?.[1] : undefined;
    if (proc === undefined || (typeof proc === 'bigint' && proc < 0n)) this.fail(n, 'a thread number');
    this.next();
    this.expect(':', 'after thread number');
    const r = this.expectIdent(`a register after '${n.text}:'`);
    return { proc: Number(proc), reg: r.text.toUpperCase(), span: span(n.span, r.span) };
  }

  /** `x`, `pte_x`, `phy_x`, `PTE(x)`, `PA(x)`, `TTD(x)`, and any of them in brackets. */
  private parseLocRef(what: string): LocRef {
    const open = this.eat('[');
    if (open) {
      const inner = this.parseLocRef('a location inside \'[...]\'');
      const close = this.expect(']', 'to close the location');
      return { ...inner, bracketed: true, span: span(open.span, close.span) };
    }
    const t = this.peek();
    if (t.kind !== 'ident') this.fail(t, what);
    this.next();
    if (this.at('(')) {
      const kind = LOC_FUNCS[t.text];
      if (kind === undefined) this.fail(t, what);
      this.next();
      const arg = this.expectIdent(`a location name inside '${t.text}(...)'`);
      const close = this.expect(')', `to close '${t.text}(...)'`);
      return { kind, name: arg.text, bracketed: false, span: span(t.span, close.span) };
    }
    return symbolRef(t.text, t.span, false);
  }

  /** Right-hand side of `=` in init and conditions. */
  private parseValue(): Value {
    const t = this.peek();
    if ((t.kind === 'num' || (t.kind === 'ident' && PROC_RE.test(t.text))) && this.at(':', 1) && this.peek(2).kind === 'ident') {
      // herd's short label value: `P1:L0` or `1:L0`
      const proc = t.kind === 'num' ? t.value : PROC_RE.exec(t.text)?.[1];
      this.next();
      this.next();
      const l = this.next();
      return { kind: 'label', proc: Number(proc), label: l.text, span: span(t.span, l.span) };
    }
    if (t.kind === 'num' && t.value !== undefined) {
      this.next();
      return { kind: 'int', value: t.value, span: t.span };
    }
    if (this.isPunct(t, '(')) return this.parseDesc();
    if (this.isPunct(t, '{')) {
      this.next();
      const items: Value[] = [];
      if (!this.at('}')) {
        items.push(this.parseValue());
        while (this.eat(',')) items.push(this.parseValue());
      }
      this.expect('}', "or ',' in array value");
      return { kind: 'array', items, span: this.spanFrom(t) };
    }
    if (this.isPunct(t, '&')) {
      this.next();
      const name = this.expectIdent("a name after '&'");
      return { kind: 'addr-of', name: name.text, span: span(t.span, name.span) };
    }
    if (t.kind === 'ident') {
      if (t.text === 'label' && this.at(':', 1)) {
        this.next();
        this.next();
        const s = this.peek();
        const m = s.kind === 'str' ? LABEL_VALUE_RE.exec(s.text) : null;
        if (m === null || m[1] === undefined || m[2] === undefined) this.fail(s, 'a label "P<n>:<label>" after \'label:\'');
        this.next();
        return { kind: 'label', proc: Number(m[1]), label: m[2], span: span(t.span, s.span) };
      }
      if (this.at(':', 1) && this.isPunct(this.peek(2), '(')) {
        // typed descriptor `parel1_t:(oa:PA(x))`
        this.next();
        this.next();
        const d = this.parseDesc();
        return { kind: 'desc', type: t.text, fields: d.fields, span: span(t.span, d.span) };
      }
      const ref = this.parseLocRef('a value');
      return { kind: 'loc', ref, span: ref.span };
    }
    this.fail(t, 'a value (integer, symbol, (descriptor), label:"P0:L0")');
  }

  /** Descriptor literal `(oa:PA(x), valid:0, attrs:(Normal,iNC,oNC))`. */
  private parseDesc(): DescValue {
    const open = this.expect('(', 'to open a descriptor');
    const fields: DescField[] = [];
    do {
      const name = this.expectIdent('a descriptor field (oa, valid, af, db, dbm, el0, attrs...)');
      this.expect(':', `after descriptor field '${name.text}'`);
      const value = name.text === 'attrs' ? this.parseAttrs() : this.parseValue();
      fields.push({ name: name.text, value, span: span(name.span, value.span) });
    } while (this.eat(','));
    const close = this.expect(')', "or ',' in descriptor");
    return { kind: 'desc', fields, span: span(open.span, close.span) };
  }

  /** `(Normal,iNC,oNC)`, `(Device-GRE)` or a single name. */
  private parseAttrs(): Value {
    const open = this.eat('(');
    if (!open) {
      const n = this.expectIdent("memory attributes after 'attrs:'");
      return { kind: 'attrs', names: [n.text], span: n.span };
    }
    const names: string[] = [this.expectIdent("a memory attribute after 'attrs:('").text];
    while (this.eat(',')) names.push(this.expectIdent('a memory attribute').text);
    const close = this.expect(')', "or ',' in memory attributes");
    return { kind: 'attrs', names, span: span(open.span, close.span) };
  }

  // ---- program table ----

  parseTable(): ThreadCode[] {
    const cols: { proc: number; handler: boolean; code: Stmt[]; span: Span }[] = [];
    const seen = new Set<string>();
    for (;;) {
      const t = this.peek();
      const m = t.kind === 'ident' ? COLUMN_RE.exec(t.text) : null;
      if (m === null) {
        this.fail(t, cols.length === 0 ? "the program table header ('P0 | P1 ;')" : "a column header ('P1', 'P1.F')");
      }
      if (seen.has(t.text)) this.fail(t, 'a column header not seen before');
      seen.add(t.text);
      this.next();
      cols.push({ proc: Number(m[1]), handler: m[2] !== undefined, code: [], span: t.span });
      if (this.eat('|')) continue;
      this.expect(';', "or '|' after column header");
      break;
    }
    while (!this.atTableEnd()) this.parseRow(cols);
    return cols;
  }

  /** The table ends at the final section or at end of file. */
  private atTableEnd(): boolean {
    const t = this.peek();
    if (t.kind === 'eof' || this.isPunct(t, '~') || this.isPunct(t, '(')) return true;
    if (t.kind !== 'ident' || this.at(':', 1)) return false;
    return t.text === 'exists' || t.text === 'forall' || t.text === 'locations' || t.text === 'filter' || t.text === 'final';
  }

  private parseRow(cols: { code: Stmt[] }[]): void {
    for (let c = 0; ; c++) {
      const col = cols[c];
      if (col === undefined) throw new Error('row longer than the header'); // prevented below
      const last = this.parseCell(col.code);
      if (this.at('|')) {
        if (c + 1 === cols.length) {
          this.fail(this.peek(), `';' to end the row (the table has ${cols.length} column${cols.length === 1 ? '' : 's'})`);
        }
        this.next();
        continue;
      }
      if (this.eat(';')) return;
      this.fail(this.peek(), `';' or '|' after ${last}`);
    }
  }

  /** A cell: labels `L0:` then at most one instruction. Returns what it ended with, for messages. */
  private parseCell(code: Stmt[]): string {
    let last = 'cell';
    for (;;) {
      const t = this.peek();
      if (this.isPunct(t, '|') || this.isPunct(t, ';')) return last;
      if (t.kind !== 'ident') this.fail(t, "an instruction, a label, '|' or ';' in table cell");
      // a cell lies on one line: this is a row that misses its ';'
      if (last === 'label' && t.span.line !== this.prev().span.line) return last;
      if (this.at(':', 1)) {
        this.next();
        const colon = this.next();
        code.push({ kind: 'label', name: t.text, span: span(t.span, colon.span) });
        last = 'label';
        continue;
      }
      code.push({ kind: 'instr', instr: this.parseInstr() });
      return 'instruction';
    }
  }

  /**
   * Mnemonic then comma-separated operands, up to the end of the cell. The first operand must be
   * on the mnemonic's line, so that a row missing its `;` is reported there and not parsed on.
   */
  private parseInstr(): Instr {
    const start = this.next();
    const operands: Operand[] = [];
    const t = this.peek();
    if (!(t.kind === 'eof' || this.isPunct(t, '|') || this.isPunct(t, ';') || t.span.line !== start.span.line)) {
      operands.push(this.parseOperand());
      while (this.eat(',')) operands.push(this.parseOperand());
    }
    return {
      mnemonic: start.text.toUpperCase(),
      operands,
      span: this.spanFrom(start),
      text: this.textFrom(start),
    };
  }

  /** An immediate `#n` or a bare number. */
  private parseImm(what: string): { value: bigint; span: Span } {
    const hash = this.eat('#');
    const n = this.peek();
    if (n.kind !== 'num' || n.value === undefined) this.fail(n, hash ? "a number after '#'" : what);
    this.next();
    return { value: n.value, span: hash ? span(hash.span, n.span) : n.span };
  }

  private atImm(): boolean {
    return this.at('#') || this.peek().kind === 'num';
  }

  private parseOperand(): Operand {
    const t = this.peek();
    if (this.atImm()) {
      const imm = this.parseImm('an immediate');
      return { kind: 'imm', value: imm.value, span: imm.span };
    }
    if (this.isPunct(t, '[')) return this.parseMem();
    if (t.kind === 'ident') {
      this.next();
      if (REG_RE.test(t.text)) return { kind: 'reg', name: t.text.toUpperCase(), span: t.span };
      if (this.atImm()) {
        const amount = this.parseImm('a shift amount');
        return { kind: 'shift', op: t.text.toUpperCase(), amount: amount.value, span: span(t.span, amount.span) };
      }
      return { kind: 'ident', name: t.text, span: t.span };
    }
    this.fail(t, "an operand (register, '#imm', '[Xn...]' or a name)");
  }

  /** `[X1]`, `[X1,X2]`, `[X1,#8]`, `[X1,W2,SXTW]`, `[X1,X2,LSL #3]`. */
  private parseMem(): Operand {
    const open = this.next();
    const base = this.peek();
    if (base.kind !== 'ident' || !REG_RE.test(base.text)) this.fail(base, "a base register after '['");
    this.next();
    let offset: { kind: 'reg'; name: string } | { kind: 'imm'; value: bigint } | undefined;
    let extend: { op: string; amount?: bigint } | undefined;
    if (this.eat(',')) {
      const o = this.peek();
      if (this.atImm()) {
        offset = { kind: 'imm', value: this.parseImm('an offset').value };
      } else if (o.kind === 'ident' && REG_RE.test(o.text)) {
        this.next();
        offset = { kind: 'reg', name: o.text.toUpperCase() };
      } else {
        this.fail(o, "an offset register or '#imm'");
      }
      if (this.eat(',')) {
        const op = this.expectIdent("an extend or shift (SXTW, UXTW, LSL...)").text.toUpperCase();
        extend = this.atImm() ? { op, amount: this.parseImm('a shift amount').value } : { op };
      }
    }
    const close = this.expect(']', offset === undefined ? "or ',' in memory operand" : 'to close memory operand');
    return {
      kind: 'mem',
      base: base.text.toUpperCase(),
      ...(offset !== undefined ? { offset } : {}),
      ...(extend !== undefined ? { extend } : {}),
      span: span(open.span, close.span),
    };
  }

  // ---- final section ----

  /** `locations [...]`, `filter P`, then the condition; returns them for the test. */
  parseFinal(): { locations: LocationItem[]; filter?: Prop; condition?: Condition } {
    const locations: LocationItem[] = [];
    if (this.atIdent('locations')) {
      this.next();
      this.expect('[', "after 'locations'");
      for (;;) {
        if (this.eat(']')) break;
        if (this.eat(';')) continue;
        locations.push(this.parseLocationItem());
        if (!this.at(';') && !this.at(']')) this.fail(this.peek(), "';' or ']' after location");
      }
    }
    let filter: Prop | undefined;
    if (this.atIdent('filter')) {
      this.next();
      filter = this.parseProp();
    }
    let condition: Condition | undefined;
    const q = this.peek();
    let quantifier: Condition['quantifier'] | undefined;
    if (this.atIdent('exists')) {
      this.next();
      quantifier = 'exists';
    } else if (this.atIdent('forall')) {
      this.next();
      quantifier = 'forall';
    } else if ((this.at('~') || this.atIdent('not')) && this.atIdent('exists', 1)) {
      this.next();
      this.next();
      quantifier = 'not exists';
    } else if (this.atIdent('final')) {
      // herd's old `final P` means `exists P`
      this.next();
      quantifier = 'exists';
    } else if (this.at('(')) {
      // herd reads a bare `(P)` as `exists (P)`
      quantifier = 'exists';
    }
    if (quantifier !== undefined) {
      const prop = this.parseProp();
      condition = { quantifier, prop, span: span(q.span, prop.span) };
      this.eat(';');
    }
    const end = this.peek();
    if (end.kind !== 'eof') {
      if (condition !== undefined) this.fail(end, 'end of file after the condition');
      this.fail(end, filter !== undefined ? "'exists', '~exists', 'forall' or end of file" : "'exists', '~exists', 'forall', 'locations', 'filter' or end of file");
    }
    return {
      locations,
      ...(filter !== undefined ? { filter } : {}),
      ...(condition !== undefined ? { condition } : {}),
    };
  }

  /** `=`, `==`, `!=` or `<>` at lookahead k: the keyword-like name before it is a location. */
  private atRelOp(k: number): boolean {
    return this.at('=', k) || this.at('==', k) || this.at('!=', k) || this.at('<>', k);
  }

  private atFault(): boolean {
    const t = this.peek();
    return t.kind === 'ident' && (t.text === 'fault' || t.text === 'Fault') && this.at('(', 1);
  }

  private parseLocationItem(): LocationItem {
    if (this.atFault()) {
      const fault = this.parseFault();
      return { kind: 'fault', fault, span: fault.span };
    }
    if (this.atRegRef()) {
      const reg = this.parseRegRef();
      return { kind: 'reg', reg, span: reg.span };
    }
    const loc = this.parseLocRef("a location (0:X1, x, [x], PTE(x), pte_x, fault(...))");
    return { kind: 'mem', loc, span: loc.span };
  }

  /** `fault(P0)`, `fault(P0:L0)`, `fault(P0:L0,x)`, `fault(P0,x,MMU:Permission)`, `Fault(P0,UndefinedInstruction)`. */
  private parseFault(): FaultAtom {
    const start = this.next();
    this.expect('(', `after '${start.text}'`);
    const p = this.peek();
    const m = p.kind === 'ident' ? PROC_RE.exec(p.text) : null;
    if (m === null) this.fail(p, `a thread 'P<n>' in ${start.text}(...)`);
    this.next();
    let label: string | undefined;
    let loc: string | undefined;
    let faultType: string | undefined;
    if (this.eat(':')) label = this.expectIdent(`a label after '${p.text}:'`).text;
    if (this.eat(',')) {
      const a = this.expectIdent('a location or a fault type (MMU:Translation, UndefinedInstruction)');
      if (a.text === 'PTE' && this.at('(')) {
        // `fault(P0,PTE(x))`: kept as written
        this.next();
        this.expectIdent("a location name inside 'PTE(...)'");
        this.expect(')', "to close 'PTE(...)'");
        loc = this.textFrom(a);
        if (this.eat(',')) {
          faultType = this.parseFaultType(this.expectIdent('a fault type (MMU:Translation, MMU:Permission...)'));
        }
      } else if (this.at(':')) {
        faultType = this.parseFaultType(a);
      } else if (/^[A-Z]/.test(a.text)) {
        faultType = a.text;
      } else {
        loc = a.text;
        if (this.eat(',')) {
          faultType = this.parseFaultType(this.expectIdent('a fault type (MMU:Translation, MMU:Permission...)'));
        }
      }
    }
    this.expect(')', faultType !== undefined ? `to close ${start.text}(...)` : `or ',' in ${start.text}(...)`);
    return {
      proc: Number(m[1]),
      ...(label !== undefined ? { label } : {}),
      ...(loc !== undefined ? { loc } : {}),
      ...(faultType !== undefined ? { faultType } : {}),
      span: this.spanFrom(start),
    };
  }

  /** `MMU:Translation`, `D-MMU:Permission`, `A:B:C` or a bare name; `first` is already consumed. */
  private parseFaultType(first: Token): string {
    let text = first.text;
    while (this.eat(':')) text += `:${this.expectIdent(`a fault kind after '${text}:'`).text}`;
    return text;
  }

  /**
   * PROP with herd's precedence (lib/stateParser.mly: `%left OR`, `%left AND`, `%right IMPLIES`,
   * `%nonassoc NOT`): `~` binds tightest, then `=>` (right-associative), then `/\`, then `\/`.
   */
  private parseProp(): Prop {
    return this.parseOr();
  }

  private parseOr(): Prop {
    let left = this.parseAnd();
    while (this.eat('\\/')) {
      const right = this.parseAnd();
      left = { kind: 'or', left, right, span: span(left.span, right.span) };
    }
    return left;
  }

  private parseAnd(): Prop {
    let left = this.parseImplies();
    while (this.eat('/\\')) {
      const right = this.parseImplies();
      left = { kind: 'and', left, right, span: span(left.span, right.span) };
    }
    return left;
  }

  private parseImplies(): Prop {
    const left = this.parseUnary();
    if (!this.eat('=>')) return left;
    const right = this.parseImplies();
    return { kind: 'implies', left, right, span: span(left.span, right.span) };
  }

  private parseUnary(): Prop {
    const t = this.peek();
    if (this.isPunct(t, '~') || (this.atIdent('not') && !this.atRelOp(1))) {
      this.next();
      const arg = this.parseUnary();
      return { kind: 'not', arg, span: span(t.span, arg.span) };
    }
    return this.parseAtom();
  }

  private parseAtom(): Prop {
    const t = this.peek();
    if (this.isPunct(t, '(')) {
      this.next();
      const p = this.parseProp();
      const close = this.expect(')', "to close '('");
      return { ...p, span: span(t.span, close.span) };
    }
    if ((t.text === 'true' || t.text === 'false') && t.kind === 'ident' && !this.atRelOp(1)) {
      this.next();
      return { kind: t.text, span: t.span };
    }
    if (this.atFault()) {
      const fault = this.parseFault();
      return { kind: 'fault', fault, span: fault.span };
    }
    let lhs: CondLoc;
    if (this.atRegRef()) {
      lhs = { kind: 'reg', reg: this.parseRegRef() };
    } else if (t.kind === 'ident' || this.isPunct(t, '[')) {
      lhs = { kind: 'mem', loc: this.parseLocRef('a condition atom') };
    } else {
      this.fail(t, "a condition atom (0:X0=1, x=1, fault(...), '~', '(')");
    }
    const op = this.peek();
    const negated = this.isPunct(op, '!=') || this.isPunct(op, '<>');
    if (!negated && !this.isPunct(op, '=') && !this.isPunct(op, '==')) this.fail(op, "'=' or '!=' after location in condition");
    this.next();
    const rhs = this.parseValue();
    return { kind: 'eq', lhs, rhs, negated, span: span(t.span, rhs.span) };
  }
}

/** Title line and `key=value` header lines, read in line mode; leaves the lexer on the init block's `{`. */
function parseHead(lx: Lexer): { arch: string; name: string; headers: Header[] } {
  const trivia = (): void => {
    const err = lx.skipTrivia();
    if (err) throw new LitmusSyntaxError(err.line, err.col, err.message);
  };
  trivia();
  if (lx.atEnd()) {
    const p = lx.position;
    throw new LitmusSyntaxError(p.line, p.col, "expected a title line ('AArch64 NAME'), found end of file");
  }
  const title = lx.restOfLine();
  const tm = /^(\S+)\s*(.*)$/.exec(title.text.trim());
  const arch = tm?.[1] ?? '';
  const name = (tm?.[2] ?? '').trim();
  if (!/^[A-Za-z][A-Za-z0-9_.-]*$/.test(arch)) {
    throw new LitmusSyntaxError(title.span.line, title.span.col, `expected an architecture name ('AArch64') on the title line, found '${arch}'`);
  }
  if (name === '') {
    throw new LitmusSyntaxError(title.span.line, title.span.col + title.text.trimEnd().length, `expected a test name after '${arch}', found end of line`);
  }
  const headers: Header[] = [];
  for (;;) {
    trivia();
    if (lx.atEnd()) {
      const p = lx.position;
      throw new LitmusSyntaxError(p.line, p.col, "expected '{' to open the init block, found end of file");
    }
    if (lx.peekChar() === '{') break;
    const { text, span: sp } = lx.restOfLine();
    const line = text.trimEnd();
    const hspan: Span = { line: sp.line, col: sp.col, endLine: sp.line, endCol: sp.col + line.length };
    const q = /^"([^"]*)"$/.exec(line);
    if (q !== null) {
      // diy's quoted cycle line: kept as a header with an empty key.
      headers.push({ key: '', value: q[1] ?? '', span: hspan });
      continue;
    }
    const kv = /^([A-Za-z_][A-Za-z0-9_.-]*)\s*=(.*)$/.exec(line);
    if (kv === null || kv[1] === undefined || kv[2] === undefined) {
      throw new LitmusSyntaxError(sp.line, sp.col, `expected a 'key=value' header line or '{', found '${line}'`);
    }
    headers.push({ key: kv[1], value: kv[2].trim(), span: hspan });
  }
  return { arch, name, headers };
}

/**
 * Parses one litmus file. Never throws on bad input: a syntax problem gives `{ok:false}` with the
 * first error's line, column and an "expected X, found Y" message.
 */
export function parseLitmus(source: string, file: string): ParseResult {
  try {
    const lx = new Lexer(source);
    const { arch, name, headers } = parseHead(lx);
    const lexed = lx.tokenize();
    if (!lexed.ok) return { ok: false, error: { file, ...lexed.error } };
    const p = new Parser(lexed.tokens, source);
    const init = p.parseInit();
    const threads = p.parseTable();
    const final = p.parseFinal();
    const test: LitmusTest = { file, arch, name, headers, init, threads, ...final, source };
    return { ok: true, test };
  } catch (e) {
    if (e instanceof LitmusSyntaxError) return { ok: false, error: { file, line: e.line, col: e.col, message: e.message } };
    return { ok: false, error: { file, line: 1, col: 1, message: `internal parser error: ${String(e)}` } };
  }
}
