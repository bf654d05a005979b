// Hazards a test pins in its header, so a regression suite can check them:
//   Hazards=amalgamation:P1:f stale-tlb:P1:f      (exactly these, by kind, CPU and address)
//   Hazards=none                                  (no hazard at all)
// herd keeps unknown header keys as test information and ignores them, so such a test still
// runs unchanged under herd7.

import type { LitmusTest, Span } from '../litmus/ast.js';

/** The expectation, or why the header is malformed. */
export type HazardExpectation =
  | { readonly ok: true; readonly keys: readonly string[]; readonly span: Span }
  | { readonly ok: false; readonly span: Span; readonly message: string };

const ITEM = /^(amalgamation|stale-tlb):P(\d+):([A-Za-z_][A-Za-z0-9_]*)$/;

/** Reads the `Hazards=` header of a test, if it has one. */
export function hazardExpectation(test: LitmusTest): HazardExpectation | undefined {
  const h = test.headers.find((x) => x.key.toLowerCase() === 'hazards');
  if (h === undefined) return undefined;
  const words = h.value.split(/[\s,]+/).filter((w) => w !== '');
  if (words.length === 1 && words[0]?.toLowerCase() === 'none') return { ok: true, keys: [], span: h.span };
  const keys: string[] = [];
  for (const w of words) {
    const m = ITEM.exec(w);
    if (m === null) return { ok: false, span: h.span, message: `Hazards: '${w}' is not KIND:Pn:VA (KIND amalgamation or stale-tlb), and the list is not 'none'` };
    keys.push(`${m[1]}:P${m[2]}:${m[3]}`);
  }
  return { ok: true, keys: [...new Set(keys)].sort(), span: h.span };
}

/** The key of a found hazard, in the header's syntax. */
export function hazardKey(h: { kind: string; cpu: number; va: string }): string {
  return `${h.kind}:P${h.cpu}:${h.va}`;
}
