// What `run --workers auto` means on this machine.

/**
 * Worker threads `--workers auto` uses on a machine with `cores` cores: one per core where there
 * are more than two; none on one or two, where the search stays in the main thread. Measured on a
 * 2-core machine (README, Performance): a worker's share of a level costs more per state than the
 * main thread's search (shared-table claims, settling each level, states moved as data), and two
 * threads of such a machine give 1.2-1.5x one on this memory-bound work, so 2 workers took longer
 * than the main thread alone on every fixmap test (7 CPUs: 9.6 s against 4.0 s with symmetry
 * reduction, 40 s against 31 s without).
 */
export function autoWorkers(cores: number): number {
  return cores > 2 ? cores : 0;
}
