// The relaxed (--model arm) machine on the classic shapes, with and without each barrier.
// Expected verdicts are Arm's (herd7 aarch64.cat), checked against the conformance corpus.
import { describe, expect, it } from 'vitest';
import { lines, run } from '../helpers.js';

function two(name: string, p0: string[], p1: string[], init: string, cond: string): string {
  const rows = Math.max(p0.length, p1.length);
  const lines = [` P0 | P1 ;`];
  for (let i = 0; i < rows; i++) lines.push(` ${p0[i] ?? ''} | ${p1[i] ?? ''} ;`);
  return `AArch64 ${name}\n{ ${init} }\n${lines.join('\n')}\nexists (${cond})`;
}

/** A test with one column per thread. */
function threads(name: string, cols: string[][], init: string, cond: string): string {
  const rows = Math.max(...cols.map((c) => c.length));
  const lines = [` ${cols.map((_, i) => `P${i}`).join(' | ')} ;`];
  for (let i = 0; i < rows; i++) lines.push(` ${cols.map((c) => c[i] ?? '').join(' | ')} ;`);
  return `AArch64 ${name}\n{ ${init} }\n${lines.join('\n')}\nexists (${cond})`;
}

const MP = (b0: string[], b1: string[]): string =>
  two('MP', ['MOV W0,#1', 'STR W0,[X1]', ...b0, 'MOV W2,#1', 'STR W2,[X3]'], ['LDR W0,[X3]', ...b1, 'LDR W2,[X1]'], '0:X1=x; 0:X3=y; 1:X1=x; 1:X3=y;', '1:X0=1 /\\ 1:X2=0');
const SB = (b: string[]): string =>
  two('SB', ['MOV W0,#1', 'STR W0,[X1]', ...b, 'LDR W2,[X3]'], ['MOV W0,#1', 'STR W0,[X3]', ...b, 'LDR W2,[X1]'], '0:X1=x; 0:X3=y; 1:X1=x; 1:X3=y;', '0:X2=0 /\\ 1:X2=0');
const LB = (b: string[]): string =>
  two('LB', ['LDR W0,[X1]', ...b, 'MOV W2,#1', 'STR W2,[X3]'], ['LDR W0,[X3]', ...b, 'MOV W2,#1', 'STR W2,[X1]'], '0:X1=x; 0:X3=y; 1:X1=x; 1:X3=y;', '0:X0=1 /\\ 1:X0=1');

const cases: [string, string, string][] = [
  ['MP', MP([], []), 'Sometimes'],
  ['MP+dmb.sy+dmb.sy', MP(['DMB SY'], ['DMB SY']), 'Never'],
  ['MP+dmb.st+dmb.ld', MP(['DMB ST'], ['DMB LD']), 'Never'],
  ['MP+dmb.sy+po', MP(['DMB SY'], []), 'Sometimes'],
  ['MP+dmb.ld+dmb.ld (writes unordered)', MP(['DMB LD'], ['DMB LD']), 'Sometimes'],
  ['MP+rel+acq', two('MP+rel+acq', ['MOV W0,#1', 'STR W0,[X1]', 'MOV W2,#1', 'STLR W2,[X3]'], ['LDAR W0,[X3]', 'LDR W2,[X1]'], '0:X1=x; 0:X3=y; 1:X1=x; 1:X3=y;', '1:X0=1 /\\ 1:X2=0'), 'Never'],
  ['MP+dmb.sy+addr', two('MP+addr', ['MOV W0,#1', 'STR W0,[X1]', 'DMB SY', 'MOV W2,#1', 'STR W2,[X3]'], ['LDR W0,[X3]', 'EOR W4,W0,W0', 'LDR W2,[X1,W4,SXTW]'], '0:X1=x; 0:X3=y; 1:X1=x; 1:X3=y;', '1:X0=1 /\\ 1:X2=0'), 'Never'],
  ['SB', SB([]), 'Sometimes'],
  ['SB+dmb.sy', SB(['DMB SY']), 'Never'],
  ['SB+dmb.st (loads may pass)', SB(['DMB ST']), 'Sometimes'],
  ['LB', LB([]), 'Sometimes'],
  ['LB+dmb.sy', LB(['DMB SY']), 'Never'],
  ['CoRR', two('CoRR', ['MOV W0,#1', 'STR W0,[X1]'], ['LDR W0,[X1]', 'LDR W2,[X1]'], '0:X1=x; 1:X1=x;', '1:X0=1 /\\ 1:X2=0'), 'Never'],
  ['2+2W', two('2+2W', ['MOV W0,#2', 'STR W0,[X1]', 'MOV W2,#1', 'STR W2,[X3]'], ['MOV W0,#2', 'STR W0,[X3]', 'MOV W2,#1', 'STR W2,[X1]'], '0:X1=x; 0:X3=y; 1:X1=x; 1:X3=y;', '[x]=2 /\\ [y]=2'), 'Sometimes'],
  ['2+2W+dmb.st', two('2+2W', ['MOV W0,#2', 'STR W0,[X1]', 'DMB ST', 'MOV W2,#1', 'STR W2,[X3]'], ['MOV W0,#2', 'STR W0,[X3]', 'DMB ST', 'MOV W2,#1', 'STR W2,[X1]'], '0:X1=x; 0:X3=y; 1:X1=x; 1:X3=y;', '[x]=2 /\\ [y]=2'), 'Never'],
];

describe('relaxed model: classic shapes', () => {
  for (const [name, src, expected] of cases) {
    it(`${name}: ${expected}`, () => {
      const r = run(src, { model: 'arm' });
      expect(r.status).toBe('ok');
      expect(r.observation).toBe(expected);
    });
  }
  it('the SC model forbids what Arm allows (MP, SB, LB)', () => {
    for (const src of [MP([], []), SB([]), LB([])]) expect(run(src, { model: 'sc' }).observation).toBe('Never');
  });
  it('translation shapes are the same as the SC machine on the examples family (local TLBI leaks)', () => {
    const src = `AArch64 L\n{ [x]=1; [y]=2; 0:X0=PTE(x); 0:X1=(oa:PA(x),valid:0); 0:X2=(oa:PA(y)); 0:X3=x; 1:X3=x; }
 P0 | P1 ;
 STR X1,[X0] | LDR W4,[X3] ;
 DSB ISH | LDR W5,[X3] ;
 LSR X4,X3,#12 | ;
 TLBI VAAE1,X4 | ;
 DSB ISH | ;
 STR X2,[X0] | ;
exists (1:X4=2 /\\ 1:X5=1)`;
    const arm = run(src, { model: 'arm' });
    expect(arm.observation).toBe('Sometimes');
    expect(arm.hazards.map((h) => h.kind)).toEqual(expect.arrayContaining(['amalgamation', 'stale-tlb']));
    expect(run(src.replace('TLBI VAAE1,', 'TLBI VAAE1IS,'), { model: 'arm' }).observation).toBe('Never');
  });
});

// Multi-copy atomicity: every CPU sees writes to memory in one order (Arm ARM B2.3, "Other-
// multi-copy atomic"), so only reordering inside a reader can make readers disagree.
const IRIW = (b: string[]): string =>
  threads(
    'IRIW',
    [['MOV W0,#1', 'STR W0,[X1]'], ['MOV W0,#1', 'STR W0,[X1]'], ['LDR W0,[X1]', ...b, 'LDR W2,[X3]'], ['LDR W0,[X3]', ...b, 'LDR W2,[X1]']],
    '0:X1=x; 1:X1=y; 2:X1=x; 2:X3=y; 3:X1=x; 3:X3=y;',
    '2:X0=1 /\\ 2:X2=0 /\\ 3:X0=1 /\\ 3:X2=0',
  );
const WRC = (b1: string[], b2: string[], store1 = 'STR W2,[X3]'): string =>
  threads(
    'WRC',
    [['MOV W0,#1', 'STR W0,[X1]'], ['LDR W0,[X1]', ...b1, store1], ['LDR W0,[X3]', ...b2, 'LDR W2,[X1]']],
    '0:X1=x; 1:X1=x; 1:X3=y; 2:X1=x; 2:X3=y;',
    '1:X0=1 /\\ 2:X0=1 /\\ 2:X2=0',
  );

describe('relaxed model: multi-copy atomicity (IRIW, WRC)', () => {
  const shapes: [string, string, string][] = [
    ['IRIW', IRIW([]), 'Sometimes'],
    ['IRIW+addrs', IRIW(['EOR W4,W0,W0', 'ADD X1,X1,W4,SXTW', 'ADD X3,X3,W4,SXTW']), 'Never'],
    ['IRIW+dmb.ld', IRIW(['DMB LD']), 'Never'],
    ['IRIW+dmb.st (orders no loads)', IRIW(['DMB ST']), 'Sometimes'],
    ['WRC', WRC(['MOV W2,#1'], []), 'Sometimes'],
    ['WRC+data+addr', WRC(['EOR W2,W0,W0', 'ADD W2,W2,#1'], ['EOR W4,W0,W0', 'ADD X1,X1,W4,SXTW']), 'Never'],
    ['WRC+po+addr (P1 may write first)', WRC(['MOV W2,#1'], ['EOR W4,W0,W0', 'ADD X1,X1,W4,SXTW']), 'Sometimes'],
    ['WRC+data+po (P2 may read x first)', WRC(['EOR W2,W0,W0', 'ADD W2,W2,#1'], []), 'Sometimes'],
    ['WRC+dmb.sy+dmb.ld', WRC(['DMB SY', 'MOV W2,#1'], ['DMB LD']), 'Never'],
    ['WRC+rel+acq', threads('WRC+rel+acq', [['MOV W0,#1', 'STR W0,[X1]'], ['LDR W0,[X1]', 'MOV W2,#1', 'STLR W2,[X3]'], ['LDAR W0,[X3]', 'LDR W2,[X1]']], '0:X1=x; 1:X1=x; 1:X3=y; 2:X1=x; 2:X3=y;', '1:X0=1 /\\ 2:X0=1 /\\ 2:X2=0'), 'Never'],
  ];
  for (const [name, src, expected] of shapes) {
    it(`${name}: ${expected}`, () => {
      const r = run(src, { model: 'arm' });
      expect(r.status).toBe('ok');
      expect(r.observation).toBe(expected);
    });
  }
});


// Read-modify-writes (herd: a read and a write effect related by `rmw`, with intra-instruction
// dependencies only where data flows) and guesses (CAS outcome, CSEL condition).
const rmwShapes: [string, string, string][] = [
  // A SWP reads with only its address: its result does not wait for Rs, the data it writes.
  ['LB+SWP-result+rel', two('LB+SWP-result+rel', ['LDR W0,[X1]', 'SWP W0,W12,[X10]', 'EOR W22,W12,W12', 'ADD W2,W22,#1', 'STR W2,[X3]'], ['LDR W0,[X3]', 'MOV W2,#1', 'STLR W2,[X1]'], '0:X1=x; 0:X3=y; 0:X10=z; 1:X1=x; 1:X3=y;', '0:X0=1 /\\ 1:X0=1'), 'Sometimes'],
  // A CAS reads before Rs (its expected value) is known; its result is the value read.
  ['LB+rel+CAS-result', two('LB+rel+CAS-result', ['LDR W3,[X0]', 'MOV W4,#1', 'STLR W4,[X1]'], ['LDR W3,[X1]', 'MOV W13,W3', 'CAS W3,WZR,[X2]', 'EOR W3,W3,W3', 'MOV W4,#1', 'STR W4,[X0,W3,SXTW]'], 'z=1; 0:X0=x; 0:X1=y; 0:X2=z; 1:X0=x; 1:X1=y; 1:X2=z;', '0:X3=1 /\\ 1:X13=1'), 'Sometimes'],
  // A CAS guessed to succeed gives Rs as its result before it reads.
  ['MP+rel+CAS-Rs-addr', two('MP+rel+CAS-Rs-addr', ['MOV W2,#1', 'STR W2,[X1]', 'STLR W2,[X0]'], ['MOV W2,#1', 'CAS W2,WZR,[X0]', 'EOR W3,W2,W2', 'LDR W4,[X1,W3,SXTW]'], '0:X0=x; 0:X1=y; 1:X0=x; 1:X1=y;', '1:X2=1 /\\ 1:X4=0'), 'Sometimes'],
  // ... and forwards its write to a later load of the cell before its compare is known.
  ['MP+rel+CAS-rfi-addr', two('MP+rel+CAS-rfi-addr', ['MOV W0,#1', 'STR W0,[X3]', 'STLR W0,[X1]'], ['LDR W0,[X1]', 'MOV W5,W0', 'CAS W0,W6,[X8]', 'LDR W0,[X8]', 'EOR W0,W0,W0', 'LDR W4,[X3,W0,SXTW]'], 'z=1; 0:X1=x; 0:X3=y; 1:X1=x; 1:X3=y; 1:X8=z;', '1:X5=1 /\\ 1:X4=0'), 'Sometimes'],
  // But a write waits for the compare: through the forwarded value it depends on it (herd pob).
  ['LB+CAS-rfi-ctrl+dmb.sy', two('LB+CAS-rfi-ctrl+dmb.sy', ['MOV W1,#1', 'MOV W2,#2', 'CAS W1,W2,[X0]', 'LDR W3,[X0]', 'CBNZ W3,L0', 'L0:', 'MOV W4,#1', 'STR W4,[X5]'], ['LDR W0,[X1]', 'DMB SY', 'MOV W2,#1', 'STR W2,[X3]'], '0:X0=x; 0:X5=y; 1:X1=y; 1:X3=x;', '[x]=2 /\\ 0:X1=1 /\\ 0:X3=2 /\\ 1:X0=1'), 'Never'],
  // An acquire load that reads a SWP's write comes after the SWP's read (herd aob).
  ['MP+rel+SWP-rfi-acq', two('MP+rel+SWP-rfi-acq', ['MOV W0,#1', 'STR W0,[X1]', 'MOV W2,#1', 'STLR W2,[X3]'], ['MOV W4,#2', 'SWP W4,W2,[X3]', 'LDAR W6,[X3]', 'LDR W0,[X1]'], '0:X1=x; 0:X3=y; 1:X1=x; 1:X3=y;', '1:X2=1 /\\ 1:X0=0'), 'Never'],
  // DMB LD waits for an RMW's read, not its write.
  ['MP+rel+LDADD-dmb.ld', two('MP+rel+LDADD-dmb.ld', ['MOV W0,#1', 'STR W0,[X1]', 'MOV W2,#1', 'STLR W2,[X3]'], ['MOV W4,#2', 'LDADD W4,W2,[X3]', 'DMB LD', 'LDR W0,[X1]'], '0:X1=x; 0:X3=y; 1:X1=x; 1:X3=y;', '1:X2=1 /\\ 1:X0=0'), 'Never'],
  // Atomicity: no write comes between an RMW's read and its write.
  ['2 CAS from 0', two('CAS2', ['MOV W1,#1', 'CAS W0,W1,[X2]'], ['MOV W1,#2', 'CAS W0,W1,[X2]'], '0:X2=x; 1:X2=x;', '0:X0=0 /\\ 1:X0=0'), 'Never'],
  // ... also when Rs comes from a load, so the compare is decided (or guessed) after the read:
  // one CAS holds the cell, the other may not then succeed (found with a cloned CAS+data2).
  ['2 CAS, Rs loaded', two('CAS2-ldr', ['LDR W0,[X3]', 'MOV W1,#1', 'CAS W0,W1,[X2]'], ['LDR W0,[X3]', 'MOV W1,#2', 'CAS W0,W1,[X2]'], '0:X2=x; 1:X2=x; 0:X3=y; 1:X3=y;', '0:X0=0 /\\ 1:X0=0'), 'Never'],
  ['2 LDADD', two('LDADD2', ['MOV W1,#1', 'LDADD W1,W0,[X2]'], ['MOV W1,#1', 'LDADD W1,W0,[X2]'], '0:X2=x; 1:X2=x;', '[x]=1'), 'Never'],
  ['SWP and STR, STR first', two('SWP+STR', ['MOV W1,#1', 'SWP W1,W0,[X2]'], ['MOV W1,#2', 'STR W1,[X2]'], '0:X2=x; 1:X2=x;', '0:X0=2 /\\ [x]=1'), 'Sometimes'],
  ['SWP and STR, STR between read and write', two('SWP+STR', ['MOV W1,#1', 'SWP W1,W0,[X2]'], ['MOV W1,#2', 'STR W1,[X2]'], '0:X2=x; 1:X2=x;', '0:X0=0 /\\ [x]=1'), 'Never'],
  // A CSEL may guess its condition: the register it selects is its only data input (herd) ...
  ['MP+rel+CSEL-addr', two('MP+rel+CSEL-addr', ['MOV W0,#1', 'STR W0,[X1]', 'MOV W2,#1', 'STLR W2,[X3]'], ['LDR W0,[X3]', 'MOV W4,#4', 'CMP W4,W0', 'MOV W5,#0', 'CSEL W2,WZR,W5,NE', 'LDR W6,[X1,W2,SXTW]'], '0:X1=x; 0:X3=y; 1:X1=x; 1:X3=y;', '1:X0=1 /\\ 1:X6=0'), 'Sometimes'],
  // ... but a write waits for the condition (herd pick-data-dep orders writes).
  ['LB+rel+CSEL-pick', two('LB+rel+CSEL-pick', ['LDR W0,[X1]', 'MOV W2,#1', 'STLR W2,[X3]'], ['LDR W3,[X3]', 'CMP W3,#1', 'MOV W5,#7', 'CSEL W6,W5,W5,EQ', 'STR W6,[X1]'], '0:X1=x; 0:X3=y; 1:X1=x; 1:X3=y;', '0:X0=7 /\\ 1:X3=1'), 'Never'],
];

describe('relaxed model: read-modify-writes and guesses', () => {
  for (const [name, src, expected] of rmwShapes) {
    it(`${name}: ${expected}`, () => {
      const r = run(src, { model: 'arm' });
      expect(r.status).toBe('ok');
      expect(r.observation).toBe(expected);
    });
  }
  it('a write to a cell a CAS has read, before its compare, makes it fail or discards the run', () => {
    const src = two('CAS-lost', ['LDR W0,[X3]', 'MOV W1,#2', 'CAS W0,W1,[X2]'], ['MOV W1,#1', 'STR W1,[X2]'], '0:X2=x; 0:X3=y; 1:X2=x;', '0:X0=0 /\\ [x]=1');
    const r = run(src, { model: 'arm' });
    expect(r.status).toBe('ok');
    // x=2 would need the STR between the CAS's read of 0 and its write.
    expect(lines(r)).toEqual(['0:X0=0; [x]=1;', '0:X0=1; [x]=1;']);
  });
  it('a failing CAS reads before its Rs is known: its result reaches a later load early', () => {
    const src = two('MP+rel+CAS-fail-addr', ['MOV W1,#1', 'STR W1,[X0]', 'MOV W3,#1', 'STLR W3,[X4]', 'STLR W3,[X2]'], ['LDR W1,[X2]', 'MOV W9,W1', 'CAS W1,W3,[X4]', 'EOR W5,W1,W1', 'LDR W7,[X0,W5,SXTW]'], 'z=3; 0:X0=x; 0:X2=y; 0:X4=z; 1:X0=x; 1:X2=y; 1:X4=z; 1:X3=5;', '1:X9=1 /\\ 1:X7=0 /\\ 1:X1=1 /\\ [z]=5');
    const r = run(src, { model: 'arm' });
    expect(r.observation).toBe('Never');
    expect(lines(r)).toEqual(expect.arrayContaining(['1:X1=3; 1:X7=0; 1:X9=1; [z]=1;']));
  });
});

describe('relaxed model: read-modify-writes of descriptors', () => {
  it('no hardware update for a later access of the same CPU comes between the read and the write of an RMW', () => {
    // LDCLR clears the valid bit of PTE(x); the STR to x then faults, or it set AF and dirty
    // first and LDCLR read that: never LDCLR reading the clean descriptor and the update landing
    // before its write (herd: atomic).
    const src = `AArch64 LDCLR-pte+STR
TTHM=HA HD
{ int x=0; 0:X2=x; 0:X4=pte_x; pte_x=(af:0,db:0,dbm:1); }
 P0 ;
 MOV X9,#1 ;
 LDCLR X9,X6,[X4] ;
 MOV W1,#1 ;
 L0: ;
 STR W1,[X2] ;
exists (x=0 /\\ fault(P0:L0,x) /\\ pte_x=(oa:phy_x,af:1,db:1,dbm:1,valid:0) /\\ 0:X6=(oa:phy_x,af:0,db:0,dbm:1,valid:1))`;
    const r = run(src, { model: 'arm' });
    expect(r.status).toBe('ok');
    expect(r.observation).toBe('Never');
    expect(r.states.length).toBeGreaterThan(0);
  });
});

describe('relaxed model: coherence across a remap', () => {
  // herd's G1: P1 stores 1 then 2 to x while P0 remaps x from PA(x) to PA(z) with broadcast
  // maintenance. If P1's first store translated by the old entry, a later store may perform on
  // PA(z) first; the TLBI then makes the first store translate again, and it must not land on
  // PA(z) after the second (same-cell writes stay in program order): [z]=1 with [x]=0 is forbidden.
  const G1 = `AArch64 G1
{ 0:X1=(oa:PA(z)); 0:X2=PTE(x); 0:X3=x; 1:X3=x; 0:X8=y; [PTE(y)]=(oa:PA(x)); }
 P0              | P1          ;
 STR X1,[X2]     | MOV W4,#1   ;
 DSB ISH         | MOV W5,#2   ;
 LSR X9,X3,#12   | STR W4,[X3] ;
 TLBI VAAE1IS,X9 | STR W5,[X3] ;
 DSB ISH         |             ;
 LDR W7,[X8]     |             ;
exists (0:X7=0 /\\ z=0 /\\ x=2)`;
  it('gives herd7’s four final states, as the SC machine does', () => {
    const want = ['0:X7=0; [x]=0; [z]=2;', '0:X7=1; [x]=1; [z]=2;', '0:X7=2; [x]=2; [z]=0;', '0:X7=2; [x]=2; [z]=1;'];
    expect(lines(run(G1, { model: 'arm' }))).toEqual(want);
    expect(lines(run(G1, { model: 'sc' }))).toEqual(want);
  });
});

describe('relaxed model: when a translation fault happens', () => {
  // P0 makes x writable (db:1) with broadcast maintenance; P1's STLR to x faulted if it walked
  // before. herd orders a fault only after earlier DMBs, DSBs and acquire reads: a release store's
  // fault is not ordered after the store before it, and a fault found before the TLBI stands.
  const F1 = (mid: string): string => `AArch64 F1
{ [PTE(x)]=(db:0); 0:X1=(oa:PA(x),db:1); 0:X2=PTE(x); 0:X3=x; 0:X8=y; 1:X3=x; 1:X8=y; }
 P0               | P1             ;
 STR X1,[X2]      | MOV W4,#1      ;
 DSB ISH          | STR W4,[X8]    ;
 LSR X9,X3,#12    | ${mid.padEnd(14)} ;
 TLBI VAAE1IS,X9  |L0:             ;
 DSB ISH          | STLR W4,[X3]   ;
 LDR W7,[X8]      |                ;
exists (0:X7=0 /\\ fault(P1:L0,x))`;
  it('a fault may come before an earlier store is visible (herd F1: Sometimes)', () => {
    expect(run(F1('NOP'), { model: 'arm' }).observation).toBe('Sometimes');
    expect(run(F1('NOP'), { model: 'sc' }).observation).toBe('Never');
  });
  it('but not before a DMB ST orders that store', () => {
    expect(run(F1('DMB ST'), { model: 'arm' }).observation).toBe('Never');
  });
  it('an acquire-release SWP orders a later fault after its write (herd S+shoot+acqrel_mmufault_db: Never)', () => {
    const src = `AArch64 S+shoot+acqrel_mmufault_db
{ [PTE(x)]=(oa:PA(x), db:0); 0:X0=(oa:PA(x), db:1); 0:X1=PTE(x); 0:X3=y; 0:X5=x; 1:X3=y; 1:X5=x; 1:X9=z; }
 P0               | P1               ;
 STR X0,[X1]      | LDR W2,[X3]      ;
 DSB SY           | SWP${'%'}         ;
 LSR X10,X5,#12   | MOV W4,#1        ;
 TLBI VAAE1IS,X10 | L0:              ;
 DSB SY           | STR W4,[X5]      ;
 MOV W2,#1        |                  ;
 STR W2,[X3]      |                  ;
exists (1:X2=1 /\\ fault(P1:L0,x))`;
    expect(run(src.replace('SWP%        ', 'SWPAL W7,W8,[X9]'), { model: 'arm' }).observation).toBe('Never');
    expect(run(src.replace('SWP%        ', 'SWP W7,W8,[X9]  '), { model: 'arm' }).observation).toBe('Sometimes');
  });
});

describe('relaxed model: DSB LD/ST, ISB and TLBI ahead of earlier accesses', () => {
  // P0 reads the descriptor P1 makes valid, then DSB ST; ISB; LDR x. DSB ST orders only earlier
  // stores, so x's walk may come before the descriptor read: both the valid value and a fault.
  const I2V = (barrier: string): string => `AArch64 I2V
{ [PTE(x)]=(oa:PA(x),valid:0); 0:X3=PTE(x); 0:X4=x; 1:X3=PTE(x); 1:X2=(oa:PA(x),valid:1); }
 P0            | P1          ;
 LDR X2,[X3]   | STR X2,[X3] ;
 ${barrier.padEnd(13)} |             ;
 ISB           |             ;
L0:            |             ;
 LDR W1,[X4]   |             ;
exists (0:X2=(oa:PA(x),valid:1) /\\ fault(P0:L0,x))`;
  it('DSB ST does not order an earlier load (herd I2V-R-DSB.ST-ISB-R+W: Sometimes)', () => {
    expect(run(I2V('DSB ST'), { model: 'arm' }).observation).toBe('Sometimes');
  });
  it('DSB LD and DSB SY do', () => {
    expect(run(I2V('DSB LD'), { model: 'arm' }).observation).toBe('Never');
    expect(run(I2V('DSB SY'), { model: 'arm' }).observation).toBe('Never');
  });
  // P1 reads the flag, then DSB ST; TLBI; DSB ISH; ISB; LDR x. The TLBI is not ordered after the
  // load of y, so it may come before P0's invalidating store, and a walk after it refills x.
  const MPT = (barrier: string): string => `AArch64 MP+dsb-tlbi
{ [PTE(x)]=(valid:1); 0:X1=(oa:PA(x),valid:0); 0:X2=PTE(x); 0:X8=y; 1:X8=y; 1:X3=x; }
 P0           | P1              ;
 STR X1,[X2]  | LDR W7,[X8]     ;
 DMB ST       | ${barrier.padEnd(15)} ;
 MOV W7,#1    | LSR X9,X3,#12   ;
 STR W7,[X8]  | TLBI VAAE1IS,X9 ;
              | DSB ISH         ;
              | ISB             ;
              |L0:              ;
              | LDR W4,[X3]     ;
exists (1:X7=1 /\\ ~fault(P1:L0,x))`;
  it('a TLBI may overtake an earlier load past DSB ST (herd MP+dmb.st+dsb.st-tlbi-dsb-isb: Sometimes)', () => {
    expect(run(MPT('DSB ST'), { model: 'arm' }).observation).toBe('Sometimes');
  });
  it('not past DSB LD (herd MP+dmb.st+dsb.ld-tlbi-dsb-isb: Never)', () => {
    expect(run(MPT('DSB LD'), { model: 'arm' }).observation).toBe('Never');
  });
});

describe('relaxed model: entering a fault handler', () => {
  // P1's access to z faults (invalid descriptor) and its handler reads x. Exception entry is
  // context-synchronising but not ordered after earlier accesses performing, so the handler's
  // read may come before them (herd order-via-faults).
  const MPF = (body: string[]): string => {
    const rows = Math.max(4, body.length);
    const p0 = ['MOV W2,#1', 'STR W2,[X3]', 'MOV W0,#1', 'STLR W0,[X1]'];
    const lines = [' P0 | P1 | P1.F ;'];
    for (let i = 0; i < rows; i++) lines.push(` ${p0[i] ?? ''} | ${body[i] ?? ''} | ${i === 0 ? 'LDR W2,[X3]' : ''} ;`);
    return `AArch64 MPF\nVariant=vmsa\n{ [PTE(z)]=(oa:PA(z), valid:0); 0:X1=y; 0:X3=x; 1:X1=y; 1:X3=x; 1:X5=z; }\n${lines.join('\n')}\nexists (1:X0=1 /\\ 1:X2=0)`;
  };
  it('the handler may run before an earlier load (herd MP+rel+rel-mmufault-po: Sometimes)', () => {
    expect(run(MPF(['LDR W0,[X1]', 'STLR WZR,[X5]']), { model: 'arm' }).observation).toBe('Sometimes');
  });
  it('a data dependency through a guessed CSEL does not order it (herd MP+rel+pickdata-mmufault-po: Sometimes)', () => {
    expect(run(MPF(['LDR W0,[X1]', 'CMP W0,#1', 'CSEL W6,WZR,WZR,EQ', 'STR W6,[X5]']), { model: 'arm' }).observation).toBe('Sometimes');
  });
  it('an address or branch that depends on a guessed CSEL does (herd pickaddr, pickctrlR: Never)', () => {
    expect(run(MPF(['LDR W0,[X1]', 'CMP W0,#1', 'CSEL W6,WZR,WZR,EQ', 'STR WZR,[X5,W6,SXTW]']), { model: 'arm' }).observation).toBe('Never');
    expect(run(MPF(['LDR W0,[X1]', 'CMP W0,#1', 'CSEL W6,WZR,WZR,EQ', 'CBNZ W6,L0', 'LDR W8,[X5]', 'L0:']), { model: 'arm' }).observation).toBe('Never');
  });
  it('a DMB SY does (the fault and the handler come after the load)', () => {
    expect(run(MPF(['LDR W0,[X1]', 'DMB SY', 'STLR WZR,[X5]']), { model: 'arm' }).observation).toBe('Never');
  });
});

describe('relaxed model: classic translation shapes', () => {
  // P0 makes x valid (PA(y), holding 1), then sets the flag z; P1 reads the flag, then x.
  const MPV = (p0: string, p1: string[]): string => {
    const a = ['STR X1,[X2]', p0, 'MOV W7,#1', 'STR W7,[X8]'];
    const b = ['LDR W7,[X8]', ...p1, 'L0:', 'LDR W4,[X3]'];
    const rows = Math.max(a.length, b.length);
    const lines = [' P0 | P1 ;'];
    for (let i = 0; i < rows; i++) lines.push(` ${a[i] ?? ''} | ${b[i] ?? ''} ;`);
    return `AArch64 MPV\n{ [PTE(x)]=(oa:PA(x),valid:0); [y]=1; 0:X1=(oa:PA(y)); 0:X2=PTE(x); 0:X3=x; 0:X8=z; 1:X3=x; 1:X8=z; }\n${lines.join('\n')}\nexists (1:X7=1 /\\ fault(P1:L0,x))`;
  };
  it('MP with a descriptor store: DSB then DSB; ISB forbid the stale invalid walk (herd MP+DSB+DSB-ISB shape)', () => {
    expect(run(MPV('DSB SY', ['DSB SY', 'ISB']), { model: 'arm' }).observation).toBe('Never');
  });
  it('without the ISB, or with only a DMB, the walk may come before the flag read', () => {
    expect(run(MPV('DSB SY', ['DSB SY']), { model: 'arm' }).observation).toBe('Sometimes');
    expect(run(MPV('DSB SY', ['DMB SY']), { model: 'arm' }).observation).toBe('Sometimes');
  });
  // Break-before-make with broadcast maintenance: P0 invalidates x, TLBI, then sets the flag;
  // P1 reads the flag, then x through an old entry (no fault) only if the TLBI is not complete.
  const BBMF = (afterTlbi: string): string => `AArch64 BBMF
{ [PTE(x)]=(oa:PA(x)); 0:X1=(oa:PA(x),valid:0); 0:X2=PTE(x); 0:X3=x; 0:X8=z; 1:X3=x; 1:X8=z; }
 P0              | P1          ;
 STR X1,[X2]     | LDR W7,[X8] ;
 DSB ISH         | DSB SY      ;
 LSR X9,X3,#12   | ISB         ;
 TLBI VAAE1IS,X9 |L0:          ;
 ${afterTlbi.padEnd(15)} | LDR W4,[X3] ;
 MOV W7,#1       |             ;
 STR W7,[X8]     |             ;
exists (1:X7=1 /\\ ~fault(P1:L0,x))`;
  it('TLBI then DSB: the old translation is gone once the flag is seen', () => {
    expect(run(BBMF('DSB ISH'), { model: 'arm' }).observation).toBe('Never');
  });
  it('TLBI without a DSB: the invalidation may not have completed (stale entry used)', () => {
    expect(run(BBMF('DMB SY'), { model: 'arm' }).observation).toBe('Sometimes');
  });
});

describe('relaxed model: the issuer of a TLBI and its own later accesses', () => {
  // P0 remaps x to PA(y) with full maintenance, then stores to x. Without an ISB the store's walk
  // may come before the remap (herd orders only walks after the TLBI, and DSB does not order
  // walks), so the store may still reach PA(x) (herd coWWExp-TLBI-NExp: Sometimes).
  const remapThenStore = (isb: boolean): string => `AArch64 own-tlbi
{ [PTE(x)]=(oa:PA(x)); 0:X1=PTE(x); 0:X2=(oa:PA(y)); 0:X4=x; }
 P0              ;
 STR X2,[X1]     ;
 DSB ISH         ;
 LSR X9,X4,#12   ;
 TLBI VAAE1IS,X9 ;
 DSB ISH         ;
 ${isb ? 'ISB' : 'NOP'}             ;
 MOV W3,#1       ;
 STR W3,[X4]     ;
exists ([x]=1)`;
  it('without an ISB the store may use the translation walked before the remap', () => {
    expect(run(remapThenStore(false), { model: 'arm' }).observation).toBe('Sometimes');
  });
  it('an ISB after the DSB makes it walk again', () => {
    expect(run(remapThenStore(true), { model: 'arm' }).observation).toBe('Never');
  });
});
