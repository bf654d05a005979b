// Loop bounding as herd's -unroll: a thread may branch back to one label N times (default 2);
// a run that would branch back once more is cut off and dropped, not reported.
import { describe, expect, it } from 'vitest';
import { lines, run } from '../helpers.js';

const countdown = (n: number): string => `AArch64 countdown
{ 0:X7=${n}; }
 P0           ;
L0:           ;
 SUB W7,W7,#1 ;
 CBNZ W7,L0   ;
 MOV W1,#1    ;
exists (0:X7=0)`;

describe('loop bound (--unroll)', () => {
  for (const model of ['sc', 'arm'] as const) {
    it(`${model}: two backward branches are explored, a third is cut off`, () => {
      expect(lines(run(countdown(3), { model }))).toEqual(['0:X7=0;']);
      const cut = run(countdown(4), { model });
      expect(cut.status).toBe('ok');
      expect(cut.states).toEqual([]);
      expect(cut.observation).toBe('Never');
    });
    it(`${model}: --unroll 3 allows a third, --unroll 0 any number`, () => {
      expect(lines(run(countdown(4), { model, unroll: 3 }))).toEqual(['0:X7=0;']);
      expect(lines(run(countdown(9), { model, unroll: 0 }))).toEqual(['0:X7=0;']);
    });
  }
});
