// Semantics of the SC VMSA machine, pinned on small tests with exact state sets.
import { describe, expect, it } from 'vitest';
import { lines, run } from '../helpers.js';

const header = (name: string, variant = 'vmsa'): string => `AArch64 ${name}\nVariant=${variant}\n`;

describe('data accesses are sequentially consistent', () => {
  it('SB: the both-zero outcome is impossible', () => {
    const r = run(`${header('SB')}{ 0:X1=x; 0:X3=y; 1:X1=y; 1:X3=x; }
 P0          | P1          ;
 MOV W0,#1   | MOV W0,#1   ;
 STR W0,[X1] | STR W0,[X1] ;
 LDR W2,[X3] | LDR W2,[X3] ;
exists (0:X2=0 /\\ 1:X2=0)`);
    expect(r.observation).toBe('Never');
    expect(lines(r)).toEqual(['0:X2=0; 1:X2=1;', '0:X2=1; 1:X2=0;', '0:X2=1; 1:X2=1;']);
  });
  it('SWP and CAS are atomic', () => {
    const r = run(`${header('RMW')}{ 0:X1=x; 1:X1=x; 0:X0=1; 1:X0=2; }
 P0             | P1             ;
 SWP X0,X2,[X1] | SWP X0,X2,[X1] ;
exists (0:X2=0 /\\ 1:X2=0)`);
    expect(r.observation).toBe('Never');
  });
});

describe('translation faults', () => {
  const invalid = (variant: string, handler = false): string => `${header('F', variant)}{ x=1; [PTE(x)]=(oa:PA(x),valid:0); 0:X1=x; }
 P0          ${handler ? '| P0.F           ' : ''};
L0:          ${handler ? '| MOV W2,#1      ' : ''};
 LDR W0,[X1] ${handler ? '| ADR X4,L1      ' : ''};
L1:          ${handler ? '| MSR ELR_EL1,X4 ' : ''};
 MOV W3,#1   ${handler ? '| ERET           ' : ''};
forall (fault(P0:L0,x) /\\ 0:X0=0)`;
  it('fatal: the thread stops at the fault, the register keeps its value', () => {
    const r = run(invalid('fatal').replace('forall (fault(P0:L0,x) /\\ 0:X0=0)', 'locations [0:X3;]\nforall (fault(P0:L0,x) /\\ 0:X0=0)'));
    expect(lines(r)).toEqual(['0:X0=0; 0:X3=0; Fault(P0:L0,x,D-MMU:Translation);']);
    expect(r.observation).toBe('Always');
  });
  it('skip: the faulting instruction is skipped', () => {
    const r = run(invalid('skip').replace('forall (fault(P0:L0,x) /\\ 0:X0=0)', 'locations [0:X3;]\nforall (fault(P0:L0,x) /\\ 0:X0=0)'));
    expect(lines(r)).toEqual(['0:X0=0; 0:X3=1; Fault(P0:L0,x,D-MMU:Translation);']);
  });
  it('a Pn.F handler runs and ERET resumes at ELR_EL1', () => {
    const r = run(invalid('fatal', true).replace('forall (fault(P0:L0,x) /\\ 0:X0=0)', 'forall (0:X2=1 /\\ 0:X3=1 /\\ 0:X0=0)'));
    expect(lines(r)).toEqual(['0:X0=0; 0:X2=1; 0:X3=1;']);
    expect(r.observation).toBe('Always');
  });
  it('an absent fault prints as ~Fault and a typed atom prints its own type', () => {
    const r = run(`${header('T')}{ 0:X1=x; }
 P0          ;
L0:          ;
 LDR W0,[X1] ;
exists (fault(P0:L0,x,MMU:Translation))`);
    expect(lines(r)).toEqual(['  ~Fault(P0:L0,x,MMU:Translation);']);
    expect(r.observation).toBe('Never');
  });
  it('af:0 gives an AccessFlag fault, db:0 a Permission fault on stores only', () => {
    const r = run(`${header('AF')}{ [PTE(x)]=(oa:PA(x),af:0); [PTE(y)]=(oa:PA(y),db:0); 0:X1=x; 0:X2=y; 1:X2=y; }
 P0          | P1          ;
L0:          | L1:         ;
 LDR W0,[X1] | LDR W0,[X2] ;
             | L2:         ;
             | STR W0,[X2] ;
forall (fault(P0:L0,x) /\\ ~fault(P1:L1,y) /\\ fault(P1:L2,y))`);
    expect(lines(r)).toEqual([' Fault(P0:L0,x,D-MMU:AccessFlag); Fault(P1:L2,y,D-MMU:Permission); ~Fault(P1:L1,y);']);
  });
});

describe('TLB maintenance', () => {
  const mp = (tlbi: string, dsb: string): string => `${header('MPT')}{ [x]=1; [y]=2; 0:X0=PTE(x); 0:X1=(oa:PA(x),valid:0); 0:X2=(oa:PA(y)); 0:X3=x; 1:X3=x; }
 P0              | P1          ;
 STR X1,[X0]     | LDR W4,[X3] ;
 DSB ISH         | LDR W5,[X3] ;
 LSR X4,X3,#12   |             ;
 TLBI ${tlbi},X4  |             ;
 DSB ${dsb}         |             ;
 STR X2,[X0]     |             ;
exists (1:X4=2 /\\ 1:X5=1)`;
  it('broadcast TLBI + DSB ISH forbids using the old translation after the new one', () => {
    expect(run(mp('VAAE1IS', 'ISH')).observation).toBe('Never');
  });
  it('a local TLBI leaves other CPUs with the old translation', () => {
    const r = run(mp('VAAE1', 'ISH'));
    expect(r.observation).toBe('Sometimes');
    expect(r.hazards.map((h) => h.kind)).toContain('stale-tlb');
  });
  it('DSB NSH does not wait for a broadcast TLBI on other CPUs', () => {
    expect(run(mp('VAAE1IS', 'NSH')).observation).toBe('Sometimes');
  });
  it('DSB ISHST does not complete the TLBI and is flagged as herd does', () => {
    const r = run(mp('VAAE1IS', 'ISHST'));
    expect(r.observation).toBe('Sometimes');
    expect(r.flags).toContain('Maintenance-scope-for-DSB-ST-is-deprecated');
  });
});

describe('unsupported constructs are reported, not skipped', () => {
  it('an unknown instruction names its line, column and the supported set', () => {
    const r = run(`${header('U')}{ 0:X1=x; }
 P0            ;
 FROB W0,[X1]  ;
exists (0:X0=0)`);
    expect(r.status).toBe('unsupported');
    expect(r.problem?.line).toBe(5);
    expect(r.problem?.col).toBe(2);
    expect(r.problem?.message).toMatch(/unsupported instruction FROB: supported are LDR/);
  });
  it('a syntax error is an error with line and column', () => {
    const r = run(`${header('E')}{ 0:X1=x;\n P0 ;\n LDR W0,[X1] ;\nexists (0:X0=0)`);
    expect(r.status).toBe('error');
    expect(r.problem?.line).toBeGreaterThan(0);
  });
});
