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
   * D8.13: completion of TLB maintenance is guaranteed by a DSB of the right domain; a DSB that
   * applies to loads only does not wait for it, and the store-only form still does but is
   * deprecated for maintenance (herd flags `Maintenance-scope-for-DSB-ST-is-deprecated`).
   */
  readonly completesTlbi: boolean;
  readonly cite: string;
}

// invariant: options are unique and upper-case; the domain covers the PEs a DSB waits on.
/** The supported barrier options (shared by DMB and DSB). */
export const BARRIER_TABLE: readonly BarrierRow[] = [
  { option: 'SY', domain: 'SY', type: 'all', completesTlbi: true, cite: 'Arm ARM C6.2 DSB/DMB, option SY' },
  { option: 'ST', domain: 'SY', type: 'st', completesTlbi: true, cite: 'Arm ARM C6.2 DSB/DMB, option ST' },
  { option: 'LD', domain: 'SY', type: 'ld', completesTlbi: false, cite: 'Arm ARM C6.2 DSB/DMB, option LD' },
  { option: 'ISH', domain: 'ISH', type: 'all', completesTlbi: true, cite: 'Arm ARM C6.2 DSB/DMB, option ISH' },
  { option: 'ISHST', domain: 'ISH', type: 'st', completesTlbi: true, cite: 'Arm ARM C6.2 DSB/DMB, option ISHST' },
  { option: 'ISHLD', domain: 'ISH', type: 'ld', completesTlbi: false, cite: 'Arm ARM C6.2 DSB/DMB, option ISHLD' },
  { option: 'OSH', domain: 'OSH', type: 'all', completesTlbi: true, cite: 'Arm ARM C6.2 DSB/DMB, option OSH' },
  { option: 'OSHST', domain: 'OSH', type: 'st', completesTlbi: true, cite: 'Arm ARM C6.2 DSB/DMB, option OSHST' },
  { option: 'OSHLD', domain: 'OSH', type: 'ld', completesTlbi: false, cite: 'Arm ARM C6.2 DSB/DMB, option OSHLD' },
  { option: 'NSH', domain: 'NSH', type: 'all', completesTlbi: true, cite: 'Arm ARM C6.2 DSB/DMB, option NSH' },
  { option: 'NSHST', domain: 'NSH', type: 'st', completesTlbi: true, cite: 'Arm ARM C6.2 DSB/DMB, option NSHST' },
  { option: 'NSHLD', domain: 'NSH', type: 'ld', completesTlbi: false, cite: 'Arm ARM C6.2 DSB/DMB, option NSHLD' },
];

/** The row for a barrier option, or undefined. */
export function barrierRow(option: string): BarrierRow | undefined {
  return BARRIER_TABLE.find((r) => r.option === option.toUpperCase());
}
