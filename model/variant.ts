// herd's variants, as far as they choose a fault mode (herd: lib/fault.ml, herd/variant.ml).

import type { FaultMode } from './program.js';

const MODES: Record<string, FaultMode> = { fatal: 'fatal', precise: 'fatal', handled: 'handled', imprecise: 'handled', skip: 'skip', faulttonext: 'skip' };
/** variants that name the VMSA extension itself and change nothing else here */
const NEUTRAL = new Set(['vmsa', 'kvm']);

/** The fault mode a variant list (`vmsa,fatal`) selects, undefined when it names none. */
export function variantFaultMode(list: string): { ok: true; mode: FaultMode | undefined } | { ok: false; word: string; message: string } {
  let mode: FaultMode | undefined;
  for (const w of list.split(/[,\s]+/).filter((x) => x !== '')) {
    const m = MODES[w.toLowerCase()];
    if (m !== undefined) mode = m;
    else if (!NEUTRAL.has(w.toLowerCase()))
      return { ok: false, word: w, message: `unsupported variant ${w}: supported are vmsa, kvm, fatal, precise, handled, imprecise, skip, faultToNext` };
  }
  return { ok: true, mode };
}
