// Barriers by option. One row per DMB/DSB option the model supports.
// Source: Arm ARM (DDI 0487K.a) C6.2 (DMB, DSB), B2.3.12 "Memory barriers",
// D8.13 "Ordering and completion of TLB maintenance instructions".

/** Shareability domain of a barrier: NSH is the issuing PE only; ISH/OSH/SY cover every PE here. */
export type Domain = 'NSH' | 'ISH' | 'OSH' | 'SY';

/** Which accesses a barrier orders: `ld` loads before it, `st` stores before it, `all` both. */
export type BarrierType = 'all' | 'ld' | 'st';

/** One barrier option. */
export interface BarrierRow {
  /** the option as written after DMB/DSB (`SY`, `ISHST`, ...) */
  readonly option: string;
  readonly domain: Domain;
  readonly type: BarrierType;
  /**
   * Whether a DSB with this option waits for earlier TLBIs of its domain to complete.
   * D8.13: completion of TLB maintenance is guaranteed by a DSB of the right domain. As in herd's
   * aarch64.cat (a TLBI counts only with a po-later full DSB), the LD and ST forms do not wait;
   * herd flags them as `Maintenance-scope-for-DSB-{LD,ST}-is-deprecated`.
   */
  readonly completesTlbi: boolean;
  readonly cite: string;
}

// invariant: options are unique and upper-case; the domain covers the PEs a DSB waits on.
/** The supported barrier options (shared by DMB and DSB). */
export const BARRIER_TABLE: readonly BarrierRow[] = [
  { option: 'SY', domain: 'SY', type: 'all', completesTlbi: true, cite: 'Arm ARM C6.2 DSB/DMB, option SY' },
  { option: 'ST', domain: 'SY', type: 'st', completesTlbi: false, cite: 'Arm ARM C6.2 DSB/DMB, option ST' },
  { option: 'LD', domain: 'SY', type: 'ld', completesTlbi: false, cite: 'Arm ARM C6.2 DSB/DMB, option LD' },
  { option: 'ISH', domain: 'ISH', type: 'all', completesTlbi: true, cite: 'Arm ARM C6.2 DSB/DMB, option ISH' },
  { option: 'ISHST', domain: 'ISH', type: 'st', completesTlbi: false, cite: 'Arm ARM C6.2 DSB/DMB, option ISHST' },
  { option: 'ISHLD', domain: 'ISH', type: 'ld', completesTlbi: false, cite: 'Arm ARM C6.2 DSB/DMB, option ISHLD' },
  { option: 'OSH', domain: 'OSH', type: 'all', completesTlbi: true, cite: 'Arm ARM C6.2 DSB/DMB, option OSH' },
  { option: 'OSHST', domain: 'OSH', type: 'st', completesTlbi: false, cite: 'Arm ARM C6.2 DSB/DMB, option OSHST' },
  { option: 'OSHLD', domain: 'OSH', type: 'ld', completesTlbi: false, cite: 'Arm ARM C6.2 DSB/DMB, option OSHLD' },
  { option: 'NSH', domain: 'NSH', type: 'all', completesTlbi: true, cite: 'Arm ARM C6.2 DSB/DMB, option NSH' },
  { option: 'NSHST', domain: 'NSH', type: 'st', completesTlbi: false, cite: 'Arm ARM C6.2 DSB/DMB, option NSHST' },
  { option: 'NSHLD', domain: 'NSH', type: 'ld', completesTlbi: false, cite: 'Arm ARM C6.2 DSB/DMB, option NSHLD' },
];

/** The row for a barrier option, or undefined. */
export function barrierRow(option: string): BarrierRow | undefined {
  return BARRIER_TABLE.find((r) => r.option === option.toUpperCase());
}

/**
 * herd's deprecation flag for executing this barrier (herd/libdir/aarch64fences.cat): a DMB with
 * a shareability argument, and a DSB whose scope is narrowed to loads or stores.
 */
export function barrierFlag(kind: 'dmb' | 'dsb', row: BarrierRow): string | undefined {
  if (kind === 'dmb') return row.domain === 'SY' ? undefined : 'Shareability-argument-for-DMB-is-deprecated';
  if (row.domain === 'SY' || row.type === 'all') return undefined;
  return row.type === 'st' ? 'Maintenance-scope-for-DSB-ST-is-deprecated' : 'Maintenance-scope-for-DSB-LD-is-deprecated';
}
