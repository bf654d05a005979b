// Golden ASTs: representative corpus files and inline sources, compared structurally.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Prop } from '../../litmus/ast.js';
import { CORPUS_DIR, HAVE_CORPUS, mustParse, strip } from './helpers.js';

const corpus = (rel: string) => mustParse(readFileSync(join(CORPUS_DIR, rel), 'utf8'), rel);

const reg = (proc: number, r: string) => ({ kind: 'reg', reg: { proc, reg: r } });
const v = (name: string, bracketed = false) => ({ kind: 'var', name, bracketed });
const pte = (name: string, bracketed = false) => ({ kind: 'pte', name, bracketed });
const pa = (name: string) => ({ kind: 'pa', name, bracketed: false });
const int = (n: bigint) => ({ kind: 'int', value: n });
const loc = (ref: object) => ({ kind: 'loc', ref });
const field = (name: string, value: object) => ({ name, value });
const instr = (mnemonic: string, text: string, operands: object[]) => ({ kind: 'instr', instr: { mnemonic, operands, text } });
const R = (name: string) => ({ kind: 'reg', name });
const M = (base: string, extra: object = {}) => ({ kind: 'mem', base, ...extra });
const I = (name: string) => ({ kind: 'ident', name });
const imm = (n: bigint) => ({ kind: 'imm', value: n });
const label = (name: string) => ({ kind: 'label', name });
const eqReg = (proc: number, r: string, rhs: object, negated = false) => ({ kind: 'eq', lhs: reg(proc, r), rhs, negated });
const and = (left: object, right: object) => ({ kind: 'and', left, right });
const or = (left: object, right: object) => ({ kind: 'or', left, right });
const not = (arg: object) => ({ kind: 'not', arg });
const fault = (f: object) => ({ kind: 'fault', fault: f });

describe.skipIf(!HAVE_CORPUS)('golden: corpus files', () => {
  it('aarch64-BBM/CoRR+PteGRE.litmus', () => {
    const t = corpus('aarch64-BBM/CoRR+PteGRE.litmus');
    expect(t.arch).toBe('AArch64');
    expect(t.name).toBe('CoRR+PteOA.GRE');
    expect(t.file).toBe('aarch64-BBM/CoRR+PteGRE.litmus');
    expect(strip(t.headers)).toEqual([{ key: 'Variant', value: 'vmsa' }]);
    expect(t.headers[0]?.span).toEqual({ line: 2, col: 1, endLine: 2, endCol: 13 });
    expect(strip(t.init)).toEqual([
      { kind: 'mem', loc: v('x', true), value: int(1n) },
      { kind: 'mem', loc: v('y', true), value: int(2n) },
      {
        kind: 'mem',
        loc: pte('x', true),
        value: { kind: 'desc', fields: [field('oa', loc(pa('x'))), field('attrs', { kind: 'attrs', names: ['Device-GRE'] })] },
      },
      { kind: 'reg', reg: { proc: 0, reg: 'X4' }, value: { kind: 'desc', fields: [field('oa', loc(pa('y'))), field('db', int(0n))] } },
      { kind: 'reg', reg: { proc: 0, reg: 'X5' }, value: loc(pte('x')) },
      { kind: 'reg', reg: { proc: 1, reg: 'X1' }, value: loc(v('x')) },
    ]);
    expect(strip(t.threads)).toEqual([
      { proc: 0, handler: false, code: [instr('STR', 'STR X4,[X5]', [R('X4'), M('X5')])] },
      {
        proc: 1,
        handler: false,
        code: [instr('LDR', 'LDR W0,[X1]', [R('W0'), M('X1')]), instr('LDR', 'LDR W2,[X1]', [R('W2'), M('X1')])],
      },
    ]);
    // spans: column header, instruction, init item
    expect(t.threads[1]?.span).toEqual({ line: 9, col: 16, endLine: 9, endCol: 18 });
    const second = t.threads[1]?.code[1];
    expect(second?.kind === 'instr' ? second.instr.span : undefined).toEqual({ line: 11, col: 16, endLine: 11, endCol: 27 });
    expect(t.init[2]?.span).toEqual({ line: 5, col: 2, endLine: 5, endCol: 40 });
    expect(t.locations).toEqual([]);
    expect(t.filter).toBeUndefined();
    expect(t.condition?.quantifier).toBe('exists');
    expect(strip(t.condition?.prop)).toEqual(and(eqReg(1, 'X0', int(2n)), eqReg(1, 'X2', int(1n))));
    expect(t.condition?.span).toEqual({ line: 12, col: 1, endLine: 12, endCol: 25 });
    expect(t.condition?.prop.span).toEqual({ line: 12, col: 7, endLine: 12, endCol: 25 });
  });

  it('AArch64.kvm/A005.litmus: P0.F handler column and labels', () => {
    const t = corpus('AArch64.kvm/A005.litmus');
    expect(t.headers).toEqual([]);
    expect(strip(t.init)).toEqual([
      { kind: 'mem', loc: v('x', true), value: int(1n) },
      { kind: 'mem', loc: pte('x', true), value: { kind: 'desc', fields: [field('oa', loc(pa('x'))), field('valid', int(0n))] } },
      { kind: 'reg', reg: { proc: 0, reg: 'X1' }, value: loc(v('x')) },
    ]);
    expect(strip(t.threads)).toEqual([
      {
        proc: 0,
        handler: false,
        code: [instr('LDR', 'LDR W0,[X1]', [R('W0'), M('X1')]), label('L0'), instr('MOV', 'MOV W3,#1', [R('W3'), imm(1n)])],
      },
      {
        proc: 0,
        handler: true,
        code: [
          instr('MOV', 'MOV W2,#1', [R('W2'), imm(1n)]),
          instr('ADR', 'ADR X4,L0', [R('X4'), I('L0')]),
          instr('MSR', 'MSR ELR_EL1,X4', [I('ELR_EL1'), R('X4')]),
          instr('ERET', 'ERET', []),
        ],
      },
    ]);
    expect(t.threads[0]?.code[1]?.kind === 'label' ? t.threads[0].code[1].span : undefined).toEqual({
      line: 9, col: 1, endLine: 9, endCol: 4,
    });
    expect(t.condition?.quantifier).toBe('forall');
    expect(strip(t.condition?.prop)).toEqual(and(and(eqReg(0, 'X0', int(0n)), eqReg(0, 'X2', int(1n))), eqReg(0, 'X3', int(1n))));
  });

  it('aarch64-VMSA/Sc06.litmus: locations with Fault atoms, typed init, <> and a P2 loop', () => {
    const t = corpus('aarch64-VMSA/Sc06.litmus');
    expect(strip(t.headers)).toEqual([{ key: 'variant', value: 'imprecise' }]);
    expect(strip(t.init.slice(0, 3))).toEqual([
      { kind: 'mem', loc: v('x'), type: 'int' },
      { kind: 'mem', loc: v('y'), type: 'int' },
      { kind: 'mem', loc: v('z'), type: 'int' },
    ]);
    expect(strip(t.init.slice(-3))).toEqual([
      { kind: 'reg', reg: { proc: 2, reg: 'X8' }, type: 'uint64_t', value: int(1024n) },
      { kind: 'reg', reg: { proc: 2, reg: 'X6' }, type: 'pteval_t' },
      { kind: 'reg', reg: { proc: 2, reg: 'X7' }, value: int(2n) },
    ]);
    expect(strip(t.locations)).toEqual([
      { kind: 'fault', fault: { proc: 0, loc: 'x' } },
      { kind: 'fault', fault: { proc: 1, loc: 'x' } },
      { kind: 'reg', reg: { proc: 2, reg: 'X6' } },
    ]);
    const p2 = t.threads[2]?.code ?? [];
    expect(p2.length).toBe(16);
    expect(strip(p2[2])).toEqual(label('L0'));
    expect(strip(p2[4])).toEqual(instr('CASAL', 'CASAL X6,X2,[X3]', [R('X6'), R('X2'), M('X3')]));
    expect(strip(p2[6])).toEqual(instr('B.EQ', 'B.EQ L1', [I('L1')]));
    expect(strip(p2[9])).toEqual(instr('CBNZ', 'CBNZ W7,L0', [R('W7'), I('L0')]));
    expect(strip(t.condition?.prop)).toEqual(
      and(and(eqReg(1, 'X1', int(1n)), eqReg(1, 'X3', int(0n))), eqReg(2, 'X7', int(0n), true)),
    );
  });

  it('AArch64.kvm/A017.litmus: fault with type in locations, no condition', () => {
    const t = corpus('AArch64.kvm/A017.litmus');
    expect(strip(t.locations)).toEqual([{ kind: 'fault', fault: { proc: 1, label: 'L0', loc: 'x', faultType: 'MMU:Translation' } }]);
    expect(t.condition).toBeUndefined();
    expect(strip(t.init[0])).toEqual({ kind: 'mem', loc: v('x'), type: 'int', value: int(1n) });
  });

  it('AArch64.kvm/A011.litmus and A014.litmus: fault types in conditions', () => {
    expect(strip(corpus('AArch64.kvm/A011.litmus').condition?.prop)).toEqual(
      fault({ proc: 0, label: 'L0', loc: 'x', faultType: 'MMU:Permission' }),
    );
    const a14 = corpus('AArch64.kvm/A014.litmus');
    expect(strip(a14.condition?.prop)).toEqual(fault({ proc: 0, faultType: 'UndefinedInstruction' }));
    expect(strip(a14.init[0])).toEqual({ kind: 'mem', loc: pte('x', true), value: { kind: 'desc', fields: [field('valid', int(0n))] } });
    expect(strip(a14.threads[0]?.code[1])).toEqual(instr('UDF', 'UDF #0', [imm(0n)]));
  });

  it('AArch64.kvm/A031.litmus: ~exists, pointer in init', () => {
    const t = corpus('AArch64.kvm/A031.litmus');
    expect(strip(t.headers)).toEqual([{ key: 'TTHM', value: 'P1:HA' }]);
    expect(strip(t.init[4])).toEqual({ kind: 'reg', reg: { proc: 0, reg: 'X14' }, value: loc(pte('z')) });
    expect(strip(t.init[6])).toEqual({ kind: 'other', construct: 'pointer', text: 'int *p = &z' });
    expect(t.condition?.quantifier).toBe('not exists');
    expect(strip(t.condition?.prop)).toEqual(
      and(
        { kind: 'eq', lhs: { kind: 'mem', loc: pte('z', true) }, rhs: { kind: 'desc', fields: [field('oa', loc(pa('x'))), field('af', int(0n))] }, negated: false },
        eqReg(1, 'X5', int(2n)),
      ),
    );
  });

  it('aarch64-VMSA/order-via-faults/MP-via_fault_STLR.litmus: label:"P1:L0" value', () => {
    const t = corpus('aarch64-VMSA/order-via-faults/MP-via_fault_STLR.litmus');
    expect(t.threads.map((th) => `P${th.proc}${th.handler ? '.F' : ''}`)).toEqual(['P0', 'P1', 'P1.F']);
    expect(strip(t.condition?.prop)).toEqual(
      and(and(eqReg(1, 'X2', int(1n)), eqReg(1, 'X10', int(0n))), eqReg(1, 'X9', { kind: 'label', proc: 1, label: 'L0' })),
    );
  });

  it('aarch64-VMSA/coRR-pte9_1-bis1.litmus: legacy pte_x/phy_x, lower-case registers, L1:LDR cells', () => {
    const t = corpus('aarch64-VMSA/coRR-pte9_1-bis1.litmus');
    expect(strip(t.init[0])).toEqual({ kind: 'mem', loc: pte('x'), value: { kind: 'desc', fields: [field('db', int(1n))] } });
    expect(strip(t.init[1])).toEqual({
      kind: 'mem',
      loc: pte('z'),
      value: { kind: 'desc', fields: [field('oa', loc(pa('x'))), field('db', int(1n))] },
    });
    expect(strip(t.init.slice(-2))).toEqual([
      { kind: 'reg', reg: { proc: 2, reg: 'X1' }, value: loc(v('x')) },
      { kind: 'reg', reg: { proc: 2, reg: 'X0' }, value: int(1n) },
    ]);
    expect(strip(t.threads[0]?.code)).toEqual([
      label('L1'),
      instr('LDR', 'LDR W2,[X10]', [R('W2'), M('X10')]),
      label('L0'),
      instr('LDR', 'LDR W4,[X1]', [R('W4'), M('X1')]),
    ]);
    expect(strip(t.threads[1]?.code[4])).toEqual(instr('LSR', 'LSR X19, X10, #12', [R('X19'), R('X10'), imm(12n)]));
    expect(strip(t.threads[1]?.code[6])).toEqual(instr('TLBI', 'TLBI VAAE1IS, X19', [I('VAAE1IS'), R('X19')]));
    expect(strip(t.condition?.prop)).toEqual(
      and(and(eqReg(0, 'X2', int(1n)), eqReg(0, 'X4', int(0n))), not(fault({ proc: 0, label: 'L0', loc: 'x' }))),
    );
  });

  it('aarch64-VMSA/coRR-pte9-plus8.litmus: arrays in init, locations[...] without space, [X1,#8]', () => {
    const t = corpus('aarch64-VMSA/coRR-pte9-plus8.litmus');
    expect(strip(t.init.slice(0, 2))).toEqual([
      { kind: 'other', construct: 'array', text: 'int x[3]={0,0,0}' },
      { kind: 'other', construct: 'array', text: 'int y[3]={1,1,1}' },
    ]);
    expect(strip(t.threads[0]?.code[1])).toEqual(instr('LDR', 'LDR W2,[X1,#8]', [R('W2'), M('X1', { offset: { kind: 'imm', value: 8n } })]));
    expect(strip(t.locations)).toEqual([
      { kind: 'reg', reg: { proc: 0, reg: 'X2' } },
      { kind: 'reg', reg: { proc: 0, reg: 'X4' } },
    ]);
  });

  it('aarch64-VMSA/MP+dmb.st+trib-po-isb-po.litmus: TTD(y), ~Fault without parentheses', () => {
    const t = corpus('aarch64-VMSA/MP+dmb.st+trib-po-isb-po.litmus');
    expect(strip(t.headers)).toEqual([{ key: 'Variant', value: 'vmsa,fatal' }]);
    expect(strip(t.init[0])).toEqual({
      kind: 'mem',
      loc: { kind: 'ttd', name: 'y', bracketed: false },
      value: { kind: 'desc', fields: [field('oa', loc(pa('y'))), field('valid', int(0n))] },
    });
    expect(strip(t.condition?.prop)).toEqual(and(not(fault({ proc: 1, loc: 'y' })), eqReg(1, 'X0', int(0n))));
  });

  it('aarch64/2+2W+dmb.sys.litmus: diy headers, quoted cycle line, condition on the next line', () => {
    const t = corpus('aarch64/2+2W+dmb.sys.litmus');
    expect(strip(t.headers)).toEqual([
      { key: '', value: 'DMB.SYdWW Wse DMB.SYdWW Wse' },
      { key: 'Cycle', value: 'Wse DMB.SYdWW Wse DMB.SYdWW' },
      { key: 'Generator', value: 'diycross7 (version 7.54+01(dev))' },
      { key: 'Prefetch', value: '0:x=F,0:y=W,1:y=F,1:x=W' },
      { key: 'Com', value: 'Ws Ws' },
      { key: 'Orig', value: 'DMB.SYdWW Wse DMB.SYdWW Wse' },
    ]);
    expect(strip(t.condition?.prop)).toEqual(
      and({ kind: 'eq', lhs: { kind: 'mem', loc: v('x') }, rhs: int(2n), negated: false }, { kind: 'eq', lhs: { kind: 'mem', loc: v('y') }, rhs: int(2n), negated: false }),
    );
  });

  it('aarch64/STABLE.litmus: comment between headers, empty init {}', () => {
    const t = corpus('aarch64/STABLE.litmus');
    expect(strip(t.headers)).toEqual([{ key: 'Stable', value: 'X2' }]);
    expect(t.init).toEqual([]);
    expect(t.threads.map((th) => th.code.length)).toEqual([1, 2]);
  });

  it('AArch64.kvm/A024.litmus: typed PAR_EL1 value, AT and MRS', () => {
    const t = corpus('AArch64.kvm/A024.litmus');
    expect(strip(t.threads[0]?.code[0])).toEqual(instr('AT', 'AT S1E0R, X1', [I('S1E0R'), R('X1')]));
    expect(strip(t.condition?.prop)).toEqual(eqReg(0, 'X3', { kind: 'desc', type: 'parel1_t', fields: [field('oa', loc(pa('x')))] }));
  });

  it('AArch64.kvm/A036.litmus: EL0 header, filter, comments inside the table', () => {
    const t = corpus('AArch64.kvm/A036.litmus');
    expect(strip(t.headers)).toEqual([
      { key: 'Variant', value: 'vmsa,imprecise' },
      { key: 'EL0', value: 'P0,P2' },
    ]);
    expect(strip(t.filter)).toEqual(and(eqReg(0, 'X0', int(2n)), eqReg(0, 'X1', int(1n))));
    expect(strip(t.locations)).toEqual([
      { kind: 'mem', loc: v('y') },
      { kind: 'reg', reg: { proc: 0, reg: 'X0' } },
      { kind: 'reg', reg: { proc: 0, reg: 'X1' } },
    ]);
    expect(strip(t.threads[2]?.code[0])).toEqual(instr('MOV', 'MOV W0,2', [R('W0'), imm(2n)]));
  });

  it('aarch64-VMSA/F1.litmus: P0:X7 register form in a condition', () => {
    const t = corpus('aarch64-VMSA/F1.litmus');
    expect(strip(t.condition?.prop)).toEqual(and(eqReg(0, 'X7', int(0n)), fault({ proc: 1, label: 'L0', loc: 'x' })));
  });
});

describe('golden: inline sources', () => {
  const cond = (c: string): Prop | undefined => mustParse(`AArch64 T\n{}\n P0 ;\n NOP ;\n${c}\n`).condition?.prop;
  const x = (n: bigint) => ({ kind: 'eq', lhs: { kind: 'mem', loc: v('x') }, rhs: int(n), negated: false });

  it('precedence: ~ tighter than /\\ tighter than \\/', () => {
    expect(strip(cond('exists ~x=1 /\\ x=2 \\/ x=3'))).toEqual(or(and(not(x(1n)), x(2n)), x(3n)));
    expect(strip(cond('exists x=1 \\/ x=2 /\\ x=3'))).toEqual(or(x(1n), and(x(2n), x(3n))));
    expect(strip(cond('exists not (x=1 \\/ x=2)'))).toEqual(not(or(x(1n), x(2n))));
    expect(strip(cond('exists x=1 /\\ x=2 /\\ x=3'))).toEqual(and(and(x(1n), x(2n)), x(3n)));
  });

  it('=> as herd: right-associative, tighter than /\\ (stateParser.mly)', () => {
    const imp = (left: object, right: object) => ({ kind: 'implies', left, right });
    expect(strip(cond('forall x=1 => x=2 => x=3'))).toEqual(imp(x(1n), imp(x(2n), x(3n))));
    expect(strip(cond('forall x=1 /\\ x=2 => x=3'))).toEqual(and(x(1n), imp(x(2n), x(3n))));
  });

  it('atoms: true/false, !=, ==, [x], PTE(x), pte_x, symbol value, short label value, negative and hex ints', () => {
    expect(strip(cond('exists true /\\ false'))).toEqual(and({ kind: 'true' }, { kind: 'false' }));
    expect(strip(cond('exists 0:X1!=-1'))).toEqual(eqReg(0, 'X1', int(-1n), true));
    expect(strip(cond('exists 0:X1==0x10'))).toEqual(eqReg(0, 'X1', int(16n)));
    expect(strip(cond('exists [x]=1'))).toEqual({ kind: 'eq', lhs: { kind: 'mem', loc: v('x', true) }, rhs: int(1n), negated: false });
    expect(strip(cond('exists PTE(x)=(oa:PA(y),dbm:1)'))).toEqual({
      kind: 'eq',
      lhs: { kind: 'mem', loc: pte('x') },
      rhs: { kind: 'desc', fields: [field('oa', loc(pa('y'))), field('dbm', int(1n))] },
      negated: false,
    });
    expect(strip(cond('exists pte_x=(oa:phy_y)'))).toEqual({
      kind: 'eq',
      lhs: { kind: 'mem', loc: pte('x') },
      rhs: { kind: 'desc', fields: [field('oa', loc(pa('y')))] },
      negated: false,
    });
    expect(strip(cond('exists 1:X0=y'))).toEqual(eqReg(1, 'X0', loc(v('y'))));
    expect(strip(cond('exists 1:X0=P1:L2'))).toEqual(eqReg(1, 'X0', { kind: 'label', proc: 1, label: 'L2' }));
  });

  it('fault atoms in all their shapes', () => {
    expect(strip(cond('exists fault(P0)'))).toEqual(fault({ proc: 0 }));
    expect(strip(cond('exists fault(P0:L0)'))).toEqual(fault({ proc: 0, label: 'L0' }));
    expect(strip(cond('exists Fault(P3,x)'))).toEqual(fault({ proc: 3, loc: 'x' }));
    expect(strip(cond('exists fault(P0,x,MMU:Translation)'))).toEqual(fault({ proc: 0, loc: 'x', faultType: 'MMU:Translation' }));
    expect(strip(cond('exists fault(P0:L0,D-MMU:Permission)'))).toEqual(fault({ proc: 0, label: 'L0', faultType: 'D-MMU:Permission' }));
    expect(strip(cond('exists fault(P0:L0,UndefinedInstruction)'))).toEqual(fault({ proc: 0, label: 'L0', faultType: 'UndefinedInstruction' }));
    expect(strip(cond('exists fault(P0,pte_x)'))).toEqual(fault({ proc: 0, loc: 'pte_x' }));
  });

  it('condition forms: trailing ;, bare (P), no condition', () => {
    expect(strip(cond('forall fault(P0:L0,x);'))).toEqual(fault({ proc: 0, label: 'L0', loc: 'x' }));
    const bare = mustParse('AArch64 T\n{}\n P0 ;\n NOP ;\n(0:X0=1)\n');
    expect(bare.condition?.quantifier).toBe('exists');
    expect(mustParse('AArch64 T\n{}\n P0 ;\n NOP ;\n').condition).toBeUndefined();
  });

  it('init forms', () => {
    const t = mustParse(
      [
        'AArch64 Init+forms.x-1_y',
        'Variant=vmsa,fatal',
        'TTHM=P0:HA P0:HD',
        '{',
        ' ; ;',
        ' 0:X1=x; 1:x2=0x10; int64_t 0:X3=-5; pteval_t 0:X2=(oa:PA(y), valid:1, af:1, db:0, dbm:1, el0:0, attrs:(Normal,iNC,oNC));',
        ' x; y=1; [z]=2; PTE(x)=(oa:PA(x),valid:0); [PTE(y)]=PTE(z); phy_w=3; TTD(x)=(oa:PA(x));',
        ' 0:X4=label:"P0:L1"; 0:X5=&z; 0:X6=PA(x)',
        '}',
        ' P0 ;',
        ' NOP ;',
        'exists 0:X1=1',
      ].join('\n'),
    );
    expect(t.name).toBe('Init+forms.x-1_y');
    expect(strip(t.headers)).toEqual([
      { key: 'Variant', value: 'vmsa,fatal' },
      { key: 'TTHM', value: 'P0:HA P0:HD' },
    ]);
    expect(strip(t.init)).toEqual([
      { kind: 'reg', reg: { proc: 0, reg: 'X1' }, value: loc(v('x')) },
      { kind: 'reg', reg: { proc: 1, reg: 'X2' }, value: int(16n) },
      { kind: 'reg', reg: { proc: 0, reg: 'X3' }, type: 'int64_t', value: int(-5n) },
      {
        kind: 'reg',
        reg: { proc: 0, reg: 'X2' },
        type: 'pteval_t',
        value: {
          kind: 'desc',
          fields: [
            field('oa', loc(pa('y'))),
            field('valid', int(1n)),
            field('af', int(1n)),
            field('db', int(0n)),
            field('dbm', int(1n)),
            field('el0', int(0n)),
            field('attrs', { kind: 'attrs', names: ['Normal', 'iNC', 'oNC'] }),
          ],
        },
      },
      { kind: 'mem', loc: v('x') },
      { kind: 'mem', loc: v('y'), value: int(1n) },
      { kind: 'mem', loc: v('z', true), value: int(2n) },
      { kind: 'mem', loc: pte('x'), value: { kind: 'desc', fields: [field('oa', loc(pa('x'))), field('valid', int(0n))] } },
      { kind: 'mem', loc: pte('y', true), value: loc(pte('z')) },
      { kind: 'mem', loc: { kind: 'pa', name: 'w', bracketed: false }, value: int(3n) },
      { kind: 'mem', loc: { kind: 'ttd', name: 'x', bracketed: false }, value: { kind: 'desc', fields: [field('oa', loc(pa('x')))] } },
      { kind: 'reg', reg: { proc: 0, reg: 'X4' }, value: { kind: 'label', proc: 0, label: 'L1' } },
      { kind: 'reg', reg: { proc: 0, reg: 'X5' }, value: { kind: 'addr-of', name: 'z' } },
      { kind: 'reg', reg: { proc: 0, reg: 'X6' }, value: loc(pa('x')) },
    ]);
  });

  it('instruction operand shapes', () => {
    const t = mustParse(
      [
        'AArch64 Ops',
        '{}',
        ' P0 ;',
        ' LDR W0,[X1,W2,SXTW] ;',
        ' LDR X0,[X1,X2,LSL #3] ;',
        ' ADD X1,X2,W3,SXTW ;',
        ' ORR X1,X2,X3,LSL #3 ;',
        ' MOV W7,2 ;',
        ' MOV x1,#-1 ;',
        ' TLBI VMALLE1IS ;',
        ' DSB ISHST ;',
        ' STR XZR,[SP] ;',
        ' b.ne L0 ;',
        'L0: MRS X2,ELR_EL1 ;',
      ].join('\n'),
    );
    expect(strip(t.threads[0]?.code)).toEqual([
      instr('LDR', 'LDR W0,[X1,W2,SXTW]', [R('W0'), M('X1', { offset: { kind: 'reg', name: 'W2' }, extend: { op: 'SXTW' } })]),
      instr('LDR', 'LDR X0,[X1,X2,LSL #3]', [R('X0'), M('X1', { offset: { kind: 'reg', name: 'X2' }, extend: { op: 'LSL', amount: 3n } })]),
      instr('ADD', 'ADD X1,X2,W3,SXTW', [R('X1'), R('X2'), R('W3'), I('SXTW')]),
      instr('ORR', 'ORR X1,X2,X3,LSL #3', [R('X1'), R('X2'), R('X3'), { kind: 'shift', op: 'LSL', amount: 3n }]),
      instr('MOV', 'MOV W7,2', [R('W7'), imm(2n)]),
      instr('MOV', 'MOV x1,#-1', [R('X1'), imm(-1n)]),
      instr('TLBI', 'TLBI VMALLE1IS', [I('VMALLE1IS')]),
      instr('DSB', 'DSB ISHST', [I('ISHST')]),
      instr('STR', 'STR XZR,[SP]', [R('XZR'), M('SP')]),
      instr('B.NE', 'b.ne L0', [I('L0')]),
      label('L0'),
      instr('MRS', 'MRS X2,ELR_EL1', [R('X2'), I('ELR_EL1')]),
    ]);
  });

  it('rows may have fewer cells than the header; empty rows are fine', () => {
    const t = mustParse('AArch64 T\n{}\n P0 | P1 | P2 ;\n NOP ;\n | | ;\n | ISB ;\nexists 0:X0=0\n');
    expect(t.threads.map((th) => th.code.length)).toEqual([1, 1, 0]);
  });

  it('CRLF line endings and tabs', () => {
    const t = mustParse('AArch64 T\r\nVariant=vmsa\r\n{\r\n0:X1=x;\r\n}\r\n P0\t;\r\n\tLDR W0,[X1]\t;\r\nexists 0:X0=0\r\n');
    expect(strip(t.headers)).toEqual([{ key: 'Variant', value: 'vmsa' }]);
    expect(strip(t.threads[0]?.code)).toEqual([instr('LDR', 'LDR W0,[X1]', [R('W0'), M('X1')])]);
  });
});
