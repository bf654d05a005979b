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
