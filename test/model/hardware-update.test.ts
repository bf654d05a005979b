// Hardware Access-flag updates (TTHM=HA): atomic with the walk's read, not ordered by DMB,
// ordered by a full DSB (herd's NT-12 family).
import { describe, expect, it } from 'vitest';
import { run } from '../helpers.js';

const nt12 = (barrier: string): string => `AArch64 NT-12-${barrier}
TTHM=P0:HA
{ [PTE(x)]=(oa:PA(x),af:0); x=1; 0:X0=x; 0:X4=y; 1:X0=y; 1:X2=PTE(x); }
 P0          | P1          ;
 LDR W1,[X0] | LDR W1,[X0] ;
 ${barrier.padEnd(11)} | DMB LD      ;
 MOV W3,#1   | LDR X3,[X2] ;
 STR W3,[X4] |             ;
exists (1:X1=1 /\\ 1:X3=(oa:PA(x),af:0))`;

describe('hardware Access-flag update', () => {
  for (const model of ['sc', 'arm'] as const) {
    it(`${model}: a DMB SY does not order it before a later store`, () => {
      expect(run(nt12('DMB SY'), { model }).observation).toBe('Sometimes');
    });
    it(`${model}: a DSB SY does`, () => {
      expect(run(nt12('DSB SY'), { model }).observation).toBe('Never');
    });
  }
  it('an update that can no longer happen (the descriptor changed first) is not an execution', () => {
    const src = `AArch64 HU-lost
TTHM=HA
{ [PTE(x)]=(oa:PA(x),af:0); x=1; 0:X2=x; 1:X4=PTE(x); 1:X6=(oa:PA(x),valid:0); }
 P0          | P1          ;
 LDR W0,[X2] | LDXR X8,[X4] ;
             | STXR W9,X6,[X4] ;
exists (0:X0=1 /\\ 1:X8=(oa:PA(x),af:0) /\\ 1:X9=0)`;
    // P0's walk read af:0 and owes the update; P1's exclusive pair on the same descriptor can
    // succeed only if no write (the update included) came between its load and its store.
    expect(run(src).observation).toBe('Never');
  });
});

describe('relaxed model: a store owes its dirty-state update (TTHM=HD)', () => {
  // P0 stores to x through a clean dbm:1 descriptor, then a barrier, then sets flag y; P1 reads
  // the flag, then the descriptor. herd's HU is ordered by a full DSB only: with DSB ST or DSB LD
  // the descriptor may still be clean when the flag is seen (MP+HD-DSB.ST / .LD / .ISH).
  const MPHD = (barrier: string): string => `AArch64 MPHD
TTHM=HD
{ [PTE(x)]=(oa:PA(x),db:0,dbm:1); 0:X1=x; 0:X2=1; 0:X3=1; 0:X4=y; 1:X4=y; 1:X1=PTE(x); }
 P0          | P1          ;
 STR W2,[X1] | LDR W3,[X4] ;
 ${barrier.padEnd(11)} | DMB LD      ;
 STR W3,[X4] | LDR X2,[X1] ;
exists (1:X3=1 /\\ 1:X2=(oa:PA(x),db:0,dbm:1))`;
  it('DSB ST and DSB LD do not order it: Sometimes', () => {
    expect(run(MPHD('DSB ST'), { model: 'arm' }).observation).toBe('Sometimes');
    expect(run(MPHD('DSB LD'), { model: 'arm' }).observation).toBe('Sometimes');
  });
  it('a full DSB does: Never', () => {
    expect(run(MPHD('DSB ISH'), { model: 'arm' }).observation).toBe('Never');
  });
  it('one store makes one update, even when a TLBI makes it translate again (herd STRx+2SWPptex+db+TLBI: Never)', () => {
    const src = `AArch64 one-update
TTHM=HA HD
{ [PTE(x)]=(db:0,dbm:1); 0:X2=x; 1:X2=x; 1:X4=PTE(x); 1:X6=(oa:PA(x),db:0,dbm:1); }
 P0          | P1               ;
 MOV W1,#1   | SWP X6,X0,[X4]   ;
L0:          | DSB ISH          ;
 STR W1,[X2] | LSR X9,X2,#12    ;
             | TLBI VAAE1IS,X9  ;
             | DSB ISH          ;
             | SWP X6,X1,[X4]   ;
exists (1:X0=(oa:PA(x),db:1,dbm:1) /\\ (1:X1=(oa:PA(x),db:1,dbm:1) \\/ [PTE(x)]=(oa:PA(x),db:1,dbm:1)) /\\ [x]=1 /\\ ~fault(P0:L0,x))`;
    expect(run(src, { model: 'arm' }).observation).toBe('Never');
  });
});

describe('phantom Access-flag updates (TTHM=HA)', () => {
  // P0 reads the descriptor of x three times, with DSBs; P1 swaps the af:0 descriptor back in.
  // Walks that no access uses may still set AF, again after each swap (herd TwoPhantoms).
  const src = `AArch64 phantoms
TTHM=HA
{ [PTE(x)]=(oa:PA(x),af:0); 0:X0=PTE(x); 1:X0=PTE(x); 1:X1=(oa:PA(x),af:0); }
 P0          | P1             ;
 LDR X1,[X0] | SWP X1,X2,[X0] ;
 DSB ISH     |                ;
 LDR X2,[X0] |                ;
 DSB ISH     |                ;
 LDR X3,[X0] |                ;
exists (0:X1=(oa:PA(x),af:1) /\\ 0:X2=(oa:PA(x),af:0) /\\ 0:X3=(oa:PA(x),af:1))`;
  for (const model of ['sc', 'arm'] as const) {
    it(`${model}: AF may be seen set twice, with the af:0 descriptor swapped in between`, () => {
      const r = run(src, { model });
      expect(r.observation).toBe('Sometimes');
      expect(r.states.length).toBe(8);
    });
  }
});
