// Descriptor fields as bits of the 64-bit stage-1 page descriptor, for the bitwise operations
// litmus tests apply to descriptor values (ORR/BIC/AND with a mask).
// Source: Arm ARM (DDI 0487K.a) D8.3 "Translation table descriptor formats", stage 1 page
// descriptor: bit 0 valid, AP[1] bit 6 (EL0 access), AP[2] bit 7 (read-only, i.e. not dirty),
// AF bit 10, DBM bit 51, UXN/XN bit 54. herd's lib/AArch64PteVal.ml uses the same bits.

import type { Desc } from './values.js';

/** One field: its bit, and the field value the bit means when set. */
interface BitRow {
  readonly field: 'valid' | 'el0' | 'db' | 'af' | 'dbm' | 'x';
  readonly bit: bigint;
  /** field value when the bit is 1 (db and x are inverted: AP[2] = read-only, XN = not executable) */
  readonly whenSet: 0 | 1;
}

// invariant: one row per field, bits distinct.
const BITS: readonly BitRow[] = [
  { field: 'valid', bit: 0n, whenSet: 1 },
  { field: 'el0', bit: 6n, whenSet: 1 },
  { field: 'db', bit: 7n, whenSet: 0 },
  { field: 'af', bit: 10n, whenSet: 1 },
  { field: 'dbm', bit: 51n, whenSet: 1 },
  { field: 'x', bit: 54n, whenSet: 0 },
];

const KNOWN = BITS.reduce((m, r) => m | (1n << r.bit), 0n);

/** ORR (set the bits) or BIC (clear them) of `mask` on a descriptor; undefined for a bit we do not model. */
export function setDescBits(d: Desc, mask: bigint, set: boolean): Desc | undefined {
  if ((BigInt.asUintN(64, mask) & ~KNOWN) !== 0n) return undefined;
  let out: Desc = d;
  for (const r of BITS) {
    if ((mask & (1n << r.bit)) === 0n) continue;
    const v = (set ? r.whenSet : 1 - r.whenSet) as 0 | 1;
    out = { ...out, [r.field]: v };
  }
  return out;
}

/** AND of a descriptor with `mask`: the integer of the mask's bits that are set in the descriptor. */
export function andDescBits(d: Desc, mask: bigint): bigint | undefined {
  if ((BigInt.asUintN(64, mask) & ~KNOWN) !== 0n) return undefined;
  let r = 0n;
  for (const row of BITS) {
    if ((mask & (1n << row.bit)) !== 0n && d[row.field] === row.whenSet) r |= 1n << row.bit;
  }
  return r;
}
