// TLB maintenance by opcode. One row per TLBI operation the model supports.
// Source: Arm ARM (DDI 0487K.a) C5.5 "A64 System instructions for TLB maintenance" and
// D8.13 "TLB maintenance"; herd7's VMSA model (herd/libdir/aarch64 VMSA extension) treats the
// same rows by `TLBI-VA`/`TLBI-ALL` scope and by the IS (broadcast) qualifier.

/** What a TLBI operation removes and where. */
export interface TlbiRow {
  readonly name: string;
  /** 'va': entries translating the page in Xt; 'all': every stage-1 EL1&0 entry */
  readonly scope: 'va' | 'all';
  /** only last-level (leaf) entries; our walks are single-level, so this changes nothing today */
  readonly lastLevel: boolean;
  /** Inner Shareable: broadcast to every PE in the domain, not only the issuing one */
  readonly broadcast: boolean;
  /** ignores the ASID (the "A" forms); the model has one ASID, so this changes nothing today */
  readonly allAsid: boolean;
  /** where the row comes from */
  readonly cite: string;
}

// invariant: names are unique and upper-case.
/** The supported TLBI operations. */
export const TLBI_TABLE: readonly TlbiRow[] = [
  { name: 'VAE1', scope: 'va', lastLevel: false, broadcast: false, allAsid: false, cite: 'Arm ARM C5.5 (A64 TLB maintenance), TLBI VAE1' },
  { name: 'VAE1IS', scope: 'va', lastLevel: false, broadcast: true, allAsid: false, cite: 'Arm ARM C5.5 (A64 TLB maintenance), TLBI VAE1IS' },
  { name: 'VAAE1', scope: 'va', lastLevel: false, broadcast: false, allAsid: true, cite: 'Arm ARM C5.5 (A64 TLB maintenance), TLBI VAAE1' },
  { name: 'VAAE1IS', scope: 'va', lastLevel: false, broadcast: true, allAsid: true, cite: 'Arm ARM C5.5 (A64 TLB maintenance), TLBI VAAE1IS' },
  { name: 'VALE1', scope: 'va', lastLevel: true, broadcast: false, allAsid: false, cite: 'Arm ARM C5.5 (A64 TLB maintenance), TLBI VALE1' },
  { name: 'VALE1IS', scope: 'va', lastLevel: true, broadcast: true, allAsid: false, cite: 'Arm ARM C5.5 (A64 TLB maintenance), TLBI VALE1IS' },
  { name: 'VAALE1', scope: 'va', lastLevel: true, broadcast: false, allAsid: true, cite: 'Arm ARM C5.5 (A64 TLB maintenance), TLBI VAALE1' },
  { name: 'VAALE1IS', scope: 'va', lastLevel: true, broadcast: true, allAsid: true, cite: 'Arm ARM C5.5 (A64 TLB maintenance), TLBI VAALE1IS' },
  { name: 'VMALLE1', scope: 'all', lastLevel: false, broadcast: false, allAsid: true, cite: 'Arm ARM C5.5 (A64 TLB maintenance), TLBI VMALLE1' },
  { name: 'VMALLE1IS', scope: 'all', lastLevel: false, broadcast: true, allAsid: true, cite: 'Arm ARM C5.5 (A64 TLB maintenance), TLBI VMALLE1IS' },
];

/** The row for a TLBI operation name, or undefined. */
export function tlbiRow(name: string): TlbiRow | undefined {
  return TLBI_TABLE.find((r) => r.name === name.toUpperCase());
}
