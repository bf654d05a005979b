// Comparison of shootdown's results with herd7's reference results (shared/conformance/herd7):
// the results.tsv reader, herd's state-line normaliser, per-test comparison, per-corpus summary
// and its text rendering. Pure: no file system, no clock; cli/conformance.ts does the I/O.

import type { TestResult } from './run-test.js';

/** The corpora in the order they are run and reported. */
export const CORPORA = ['aarch64-BBM', 'AArch64.kvm', 'aarch64', 'aarch64-VMSA'] as const;

/** herd's break-before-make flag (writer side). */
export const BBM_FLAG = 'Warning-BBM-expected';

/** One row of a TSV file, cells keyed by the header's column names. */
export type TsvRow = Readonly<Record<string, string>>;

/** Columns of herd7/results.tsv this module reads. */
export const RESULT_COLUMNS = ['corpus', 'test', 'file', 'herd_status', 'observation', 'flags', 'out_file', 'vmsa_class'] as const;

/**
 * Parses tab-separated text whose first non-empty line names the columns. Missing trailing cells
 * read as ''; extra cells are dropped; blank lines are skipped. `required` columns must be in the
 * header, or this throws naming the missing ones.
 */
export function parseTsv(text: string, required: readonly string[] = []): { header: string[]; rows: TsvRow[] } {
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== '');
  const first = lines.shift();
  if (first === undefined) {
    if (required.length > 0) throw new Error(`empty TSV: expected columns ${required.join(', ')}`);
    return { header: [], rows: [] };
  }
  const header = first.split('\t').map((h) => h.trim());
  const missing = required.filter((c) => !header.includes(c));
  if (missing.length > 0) throw new Error(`TSV header lacks column${missing.length === 1 ? '' : 's'} ${missing.join(', ')} (has ${header.join(', ')})`);
  const rows = lines.map((line) => {
    const cells = line.split('\t');
    const row: Record<string, string> = {};
    header.forEach((h, i) => {
      row[h] = cells[i] ?? '';
    });
    return row;
  });
  return { header, rows };
}

/**
 * The bindings of one herd state line (`1:X0=1; [PTE(x)]=(oa:PA(y), af:0);  ~Fault(P0,x);`):
 * split at `;`, whitespace removed (herd's spacing carries no meaning), empty pieces dropped,
 * sorted so that binding order does not matter.
 */
export function stateBindings(line: string): string[] {
  return line
    .split(';')
    .map((b) => b.replace(/\s+/g, ''))
    .filter((b) => b !== '')
    .sort();
}

/** A canonical key of a state line: equal keys for lines with the same set of bindings. */
export function stateKey(line: string): string {
  return [...new Set(stateBindings(line))].join(';');
}

/** The set of canonical keys of some state lines. */
export function stateSet(lines: readonly string[]): Set<string> {
  return new Set(lines.map(stateKey));
}

/** Two lists of state lines denote the same set of sets of bindings. */
export function sameStates(a: readonly string[], b: readonly string[]): boolean {
  const sa = stateSet(a);
  const sb = stateSet(b);
  return sa.size === sb.size && [...sa].every((k) => sb.has(k));
}

/** The state lines of herd's output: the N lines after `States N`; undefined when there is no such line. */
export function herdStateLines(out: string): string[] | undefined {
  const lines = out.split(/\r?\n/);
  const i = lines.findIndex((l) => /^States\s+\d+\s*$/.test(l));
  if (i < 0) return undefined;
  const n = Number(/\d+/.exec(lines[i] ?? '')?.[0] ?? '0');
  return lines.slice(i + 1, i + 1 + n);
}

/** The flags of a `flags` cell (comma-separated). */
export function flagList(cell: string): string[] {
  return cell
    .split(',')
    .map((f) => f.trim())
    .filter((f) => f !== '');
}

/** The classes of a `vmsa_class` cell (`a,d` → [a, d]). */
export function classList(cell: string): string[] {
  return cell
    .split(',')
    .map((c) => c.trim())
    .filter((c) => c !== '');
}

/** A test without a fault-handler column (`P1.F`) and without hardware AF/DB management (`TTHM`). */
export function isCoreVmsa(source: string): boolean {
  return !/\bP\d+\.F\b/.test(source) && !/\bTTHM\b/.test(source);
}

/** One test's comparison with herd. */
export interface Comparison {
  readonly corpus: string;
  readonly test: string;
  readonly file: string;
  readonly vmsaClass: readonly string[];
  readonly herdStatus: string;
  /** herd's observation when herd answered */
  readonly herd?: string;
  readonly herdFlags: readonly string[];
  readonly status: TestResult['status'];
  /** true when status is `error` because the run threw after the file parsed */
  readonly internal: boolean;
  readonly construct?: string;
  readonly message?: string;
  /** our observation when we answered (status ok) */
  readonly ours?: string;
  /** both answered: observations equal */
  readonly verdictAgrees?: boolean;
  /** both answered and herd printed its states: state sets equal */
  readonly statesAgree?: boolean;
  /** states only herd has, states only we have (canonical keys), when they differ */
  readonly statesDiff?: { readonly herdOnly: readonly string[]; readonly oursOnly: readonly string[] };
  readonly bbmFlagHerd: boolean;
  readonly amalgamationOurs: boolean;
  readonly ms: number;
}

/** Compares one result with its results.tsv row and herd's output text (if found). */
export function compareOne(corpus: string, row: TsvRow, result: TestResult, herdOut: string | undefined, internal = false): Comparison {
  const herdStatus = row['herd_status'] ?? '';
  const herdOk = herdStatus === 'ok';
  const herdObs = row['observation'] ?? '';
  const ours = result.status === 'ok' ? result.observation : undefined;
  const both = herdOk && ours !== undefined;
  const herdFlags = flagList(row['flags'] ?? '');
  let statesAgree: boolean | undefined;
  let statesDiff: Comparison['statesDiff'];
  if (both && herdOut !== undefined) {
    const herdLines = herdStateLines(herdOut);
    if (herdLines !== undefined) {
      const h = stateSet(herdLines);
      const o = stateSet(result.states.map((s) => s.line));
      const herdOnly = [...h].filter((k) => !o.has(k));
      const oursOnly = [...o].filter((k) => !h.has(k));
      statesAgree = herdOnly.length === 0 && oursOnly.length === 0;
      if (!statesAgree) statesDiff = { herdOnly, oursOnly };
    }
  }
  const construct = result.problem?.construct;
  const message = result.problem?.message;
  return {
    corpus,
    test: row['test'] !== undefined && row['test'] !== '' ? row['test'] : result.test,
    file: row['file'] ?? result.file,
    vmsaClass: classList(row['vmsa_class'] ?? ''),
    herdStatus,
    ...(herdOk && herdObs !== '' ? { herd: herdObs } : {}),
    herdFlags,
    status: result.status,
    internal,
    ...(construct === undefined ? {} : { construct }),
    ...(message === undefined ? {} : { message }),
    ...(ours === undefined ? {} : { ours }),
    ...(both ? { verdictAgrees: herdObs === ours } : {}),
    ...(statesAgree === undefined ? {} : { statesAgree }),
    ...(statesDiff === undefined ? {} : { statesDiff }),
    bbmFlagHerd: herdFlags.includes(BBM_FLAG),
    // hazards found before a timeout are real: they count
    amalgamationOurs: result.hazards.some((h) => h.kind === 'amalgamation'),
    ms: result.ms,
  };
}

/** A ratio `a/b`, both counts. */
export interface Ratio {
  readonly agree: number;
  readonly of: number;
}

/** One corpus's totals. */
export interface CorpusSummary {
  readonly corpus: string;
  readonly tests: number;
  /** not a parse error (internal errors after parsing count as parsed) */
  readonly parsed: number;
  readonly unsupported: number;
  /** construct → count, most frequent first */
  readonly constructs: readonly (readonly [string, number])[];
  readonly answered: number;
  readonly internalErrors: number;
  readonly verdicts: Ratio;
  readonly states: Ratio;
  /** herd-flagged BBM tests where we report an amalgamation hazard, of herd-flagged tests */
  readonly bbm: Ratio;
  /** herd-flagged tests that we answered or timed out on (the rest we could not run) */
  readonly bbmRun: number;
  /** amalgamation hazards on tests herd answered without the flag */
  readonly bbmExtra: number;
  readonly timeouts: number;
  /** tests herd could not answer (timeout/error), and those we answered with our time */
  readonly herdUnanswered: number;
  readonly herdUnansweredOurs: readonly { readonly test: string; readonly ms: number; readonly ours: string }[];
  /** verdict agreement per vmsa_class (a test in several classes counts in each) */
  readonly byClass: readonly (readonly [string, Ratio])[];
  readonly ms: number;
}

/**
 * What an unsupported test lacks, for counting: a run-time refusal (`P0 'STR W1,[X2]': hardware
 * dirty-state update (TTHM=HD with dbm:1)`) counts by its reason, whatever the instruction; a
 * load-time refusal by its construct (`instruction AT`).
 */
export function unsupportedKey(c: Pick<Comparison, 'construct' | 'message'>): string {
  const m = /^P\d+ '[^']*': (.*)$/s.exec(c.message ?? '');
  if (m?.[1] !== undefined) return m[1].replace(/\s+is not supported$/, '').replace(/\s+/g, ' ');
  return c.construct ?? c.message ?? '?';
}


/** The totals of a corpus's comparisons. */
export function summarise(corpus: string, comps: readonly Comparison[], wallMs?: number): CorpusSummary {
  const count = (p: (c: Comparison) => boolean): number => comps.filter(p).length;
  const cons = new Map<string, number>();
  for (const c of comps) if (c.status === 'unsupported') {
    const k = unsupportedKey(c);
    cons.set(k, (cons.get(k) ?? 0) + 1);
  }
  const byClass = new Map<string, { agree: number; of: number }>();
  for (const c of comps) {
    if (c.verdictAgrees === undefined) continue;
    for (const k of c.vmsaClass) {
      const r = byClass.get(k) ?? { agree: 0, of: 0 };
      r.of++;
      if (c.verdictAgrees) r.agree++;
      byClass.set(k, r);
    }
  }
  const herdUnanswered = comps.filter((c) => c.herdStatus !== 'ok');
  return {
    corpus,
    tests: comps.length,
    parsed: count((c) => c.status !== 'error' || c.internal),
    unsupported: count((c) => c.status === 'unsupported'),
    constructs: [...cons].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)),
    answered: count((c) => c.status === 'ok'),
    internalErrors: count((c) => c.internal),
    verdicts: { agree: count((c) => c.verdictAgrees === true), of: count((c) => c.verdictAgrees !== undefined) },
    states: { agree: count((c) => c.statesAgree === true), of: count((c) => c.statesAgree !== undefined) },
    bbm: { agree: count((c) => c.bbmFlagHerd && c.amalgamationOurs), of: count((c) => c.bbmFlagHerd) },
    bbmRun: count((c) => c.bbmFlagHerd && (c.status === 'ok' || c.status === 'timeout')),
    bbmExtra: count((c) => c.herdStatus === 'ok' && !c.bbmFlagHerd && c.amalgamationOurs),
    timeouts: count((c) => c.status === 'timeout'),
    herdUnanswered: herdUnanswered.length,
    herdUnansweredOurs: herdUnanswered.filter((c) => c.ours !== undefined).map((c) => ({ test: c.test, ms: c.ms, ours: c.ours ?? '' })),
    byClass: [...byClass].sort((a, b) => (a[0] < b[0] ? -1 : 1)),
    ms: wallMs ?? comps.reduce((s, c) => s + c.ms, 0),
  };
}

/** The disagreements on a test both answered (herd and we, status ok): verdict, state set, BBM flag. */
export function disagreements(c: Comparison): string[] {
  const out: string[] = [];
  if (c.verdictAgrees === false) out.push('verdict');
  if (c.statesAgree === false) out.push('states');
  if (c.status === 'ok' && c.herdStatus === 'ok') {
    if (c.bbmFlagHerd && !c.amalgamationOurs) out.push('bbm-missing');
    if (!c.bbmFlagHerd && c.amalgamationOurs) out.push('bbm-extra');
  }
  return out;
}

function pct(r: Ratio): string {
  return r.of === 0 ? `${r.agree}/${r.of}` : `${r.agree}/${r.of} (${((100 * r.agree) / r.of).toFixed(1)}%)`;
}

function secs(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

/** The top constructs as `TTHM=HA: 120, instruction LDXR: 4`. */
export function topConstructs(s: CorpusSummary, n: number): string {
  const shown = s.constructs.slice(0, n).map(([k, v]) => `${k}: ${v}`);
  const rest = s.constructs.slice(n).reduce((a, [, v]) => a + v, 0);
  if (rest > 0) shown.push(`others: ${rest}`);
  return shown.join(', ');
}

/** One corpus's report: its table, then (up to `cap` lines, all when undefined) its disagreements. */
export function formatCorpus(s: CorpusSummary, comps: readonly Comparison[], cap: number | undefined): string {
  const rows: [string, string][] = [
    ['tests', `${s.tests}`],
    ['parsed', pct({ agree: s.parsed, of: s.tests })],
    ['unsupported', `${s.unsupported}${s.unsupported > 0 ? `  (${topConstructs(s, cap === undefined ? Infinity : 8)})` : ''}`],
    ['answered', pct({ agree: s.answered, of: s.tests })],
    ['verdicts agree', pct(s.verdicts)],
    ['state sets agree', pct(s.states)],
    ['BBM flag coverage', `${s.bbm.agree}/${s.bbm.of} (${s.bbmRun} run), extra ${s.bbmExtra}`],
    ['timeouts', `${s.timeouts}`],
    ['internal errors', `${s.internalErrors}`],
  ];
  if (s.herdUnanswered > 0) {
    const times = s.herdUnansweredOurs.map((u) => `${u.test} ${u.ours} ${secs(u.ms)}`).join(', ');
    rows.push(['herd unanswered', `${s.herdUnanswered}, we answered ${s.herdUnansweredOurs.length}${times === '' ? '' : `: ${times}`}`]);
  }
  if (s.byClass.length > 0) rows.push(['verdicts by class', s.byClass.map(([k, r]) => `${k} ${pct(r)}`).join(', ')]);
  rows.push(['total time', secs(s.ms)]);
  const w = Math.max(...rows.map(([k]) => k.length));
  const lines = [`== ${s.corpus} ==`, ...rows.map(([k, v]) => `  ${k.padEnd(w)}  ${v}`)];
  const bad = comps.filter((c) => disagreements(c).length > 0);
  if (bad.length > 0) {
    lines.push(`  disagreements (${bad.length}):`);
    const tw = Math.min(48, Math.max(...bad.map((c) => c.test.length)));
    const shown = cap === undefined ? bad : bad.slice(0, cap);
    for (const c of shown) {
      const what = disagreements(c);
      let extra = '';
      if (c.statesDiff !== undefined) {
        const h = c.statesDiff.herdOnly.length;
        const o = c.statesDiff.oursOnly.length;
        extra = `  states: ${h} herd-only, ${o} ours-only`;
        if (cap === undefined) extra += `${h > 0 ? ` herd-only {${c.statesDiff.herdOnly.join(' | ')}}` : ''}${o > 0 ? ` ours-only {${c.statesDiff.oursOnly.join(' | ')}}` : ''}`;
      }
      lines.push(`    ${c.test.padEnd(tw)}  herd ${(c.herd ?? c.herdStatus).padEnd(9)}  ours ${(c.ours ?? c.status).padEnd(9)}  [${what.join(',')}]${extra}`);
    }
    if (shown.length < bad.length) lines.push(`    ... ${bad.length - shown.length} more (--all lists them)`);
  }
  return lines.join('\n');
}

/** The overview table over corpora, and the total line with the parse rate. */
export function formatOverview(sums: readonly CorpusSummary[]): string {
  const head = ['corpus', 'tests', 'parsed', 'unsupp', 'answered', 'verdicts', 'states', 'BBM', 'BBM extra', 'timeouts', 'time'];
  const ratio = (r: Ratio): string => `${r.agree}/${r.of}`;
  const body = sums.map((s) => [s.corpus, `${s.tests}`, `${s.parsed}`, `${s.unsupported}`, `${s.answered}`, ratio(s.verdicts), ratio(s.states), ratio(s.bbm), `${s.bbmExtra}`, `${s.timeouts}`, secs(s.ms)]);
  const sum = (f: (s: CorpusSummary) => number): number => sums.reduce((a, s) => a + f(s), 0);
  const tot = {
    tests: sum((s) => s.tests),
    parsed: sum((s) => s.parsed),
    verdicts: { agree: sum((s) => s.verdicts.agree), of: sum((s) => s.verdicts.of) },
    states: { agree: sum((s) => s.states.agree), of: sum((s) => s.states.of) },
    bbm: { agree: sum((s) => s.bbm.agree), of: sum((s) => s.bbm.of) },
  };
  body.push(['TOTAL', `${tot.tests}`, `${tot.parsed}`, `${sum((s) => s.unsupported)}`, `${sum((s) => s.answered)}`, ratio(tot.verdicts), ratio(tot.states), ratio(tot.bbm), `${sum((s) => s.bbmExtra)}`, `${sum((s) => s.timeouts)}`, secs(sum((s) => s.ms))]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((r) => (r[i] ?? '').length)));
  const fmt = (r: readonly string[]): string => r.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join('  ');
  const parseRate = tot.tests === 0 ? 0 : (100 * tot.parsed) / tot.tests;
  return [
    fmt(head),
    ...body.map(fmt),
    '',
    `parse rate: ${tot.parsed}/${tot.tests} (${parseRate.toFixed(1)}%; goal >= 95%)  verdicts agree: ${pct(tot.verdicts)}  state sets agree: ${pct(tot.states)}  BBM coverage: ${pct(tot.bbm)}`,
  ].join('\n');
}

/** The `--json` record of one comparison. */
export function jsonComparison(c: Comparison): string {
  return JSON.stringify({
    test: c.test,
    corpus: c.corpus,
    file: c.file,
    status: c.status,
    construct: c.construct ?? null,
    unsupported: c.status === 'unsupported' ? unsupportedKey(c) : null,
    message: c.status === 'ok' ? null : (c.message ?? null),
    herd_status: c.herdStatus,
    herd: c.herd ?? null,
    ours: c.ours ?? null,
    verdict_agrees: c.verdictAgrees ?? null,
    states_agree: c.statesAgree ?? null,
    bbm_flag_herd: c.bbmFlagHerd,
    amalgamation_ours: c.amalgamationOurs,
    ms: c.ms,
  });
}
