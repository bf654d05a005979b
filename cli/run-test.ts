// Runs one litmus file end to end: parse, load, explore, judge. The result is plain data that
// report/ prints as herd text or JSON.

import { exploreExhaustive, type Budget, type ExplorationResult, type Progress } from '../explorer/exhaustive.js';
import { exploreParallel, parallelStart } from '../explorer/parallel.js';
import { traceToken } from '../explorer/system.js';
import { parseLitmus } from '../litmus/parser.js';
import type { Prop, Value } from '../litmus/ast.js';
import type { Hazard } from '../model/hazards.js';
import { loadTest, type LoadOptions } from '../model/load.js';
import { ModelUnsupported } from '../model/machine.js';
import type { Program } from '../model/program.js';
import { hazardExpectation, hazardKey } from '../model/hazard-expect.js';
import { explainTrace, renderSteps } from './replay.js';
import { searchedSystem } from './vmsa-system.js';
import type { ExplorePool } from '../workers/explore-host.js';

/** Options of one run. */
export interface RunOptions extends LoadOptions {
  readonly model: 'sc' | 'arm';
  /** seconds; the search stops and reports what it found, marked incomplete */
  readonly timeout?: number;
  readonly maxStates?: number;
  /** stop a test's search once the process heap exceeds this many MiB */
  readonly maxMemoryMb?: number;
  readonly evictions?: boolean;
  /** attach to each hazard the step-by-step replay of its trace */
  readonly explain?: boolean;
  /** called every few thousand states while exploring */
  readonly progress?: (p: Progress) => void;
  /** polled while exploring: true stops the search (Ctrl-C), marked incomplete */
  readonly cancelled?: () => boolean;
  /** partial-order reduction (default on); off explores every interleaving of independent steps */
  readonly por?: boolean;
  /**
   * sleep sets, part of partial-order reduction (default on with it): fewer transitions, the same
   * states, results and witnesses (explorer/sleep.ts); off only to check that
   */
  readonly sleep?: boolean;
  /** symmetry reduction over interchangeable CPUs (default on); off explores every permutation of them */
  readonly symmetry?: boolean;
}

/** A hazard as reported: what, where, and the trace that shows it. */
export interface ReportedHazard extends Hazard {
  readonly trace: string;
  /** with `explain`: the replay of `trace`, one line per step and state line */
  readonly explanation?: readonly string[];
}

/** One final state: herd's line, whether it satisfies the condition, and a trace reaching it. */
export interface ReportedState {
  readonly line: string;
  readonly satisfies: boolean;
  readonly trace: string;
}

/** The result of running one test. */
export interface TestResult {
  readonly test: string;
  readonly file: string;
  readonly status: 'ok' | 'unsupported' | 'error' | 'timeout';
  /** for `error` and `unsupported`: where and why */
  readonly problem?: { readonly line: number; readonly col: number; readonly message: string; readonly construct?: string };
  readonly quantifier?: 'exists' | 'not exists' | 'forall';
  readonly condition?: string;
  readonly observation?: 'Always' | 'Sometimes' | 'Never';
  /** herd's Ok/No: the condition's claim holds */
  readonly ok?: boolean;
  readonly states: readonly ReportedState[];
  readonly positive: number;
  readonly negative: number;
  readonly flags: readonly string[];
  readonly hazards: readonly ReportedHazard[];
  /** when the test pins its hazards (`Hazards=` header): expected and found keys */
  readonly hazardCheck?: { readonly expected: readonly string[]; readonly found: readonly string[]; readonly ok: boolean };
  readonly complete: boolean;
  /** why an incomplete search stopped */
  readonly stopped?: 'max-states' | 'max-memory' | 'timeout' | 'cancelled';
  /** distinct states explored (with symmetry reduction: representatives, one per orbit) */
  readonly explored: number;
  /** the classes of interchangeable CPUs the search reduced by (symmetry reduction), if any */
  readonly symmetric?: readonly (readonly number[])[];
  readonly transitions: number;
  readonly ms: number;
}

function base(file: string, test: string, status: TestResult['status'], ms: number): TestResult {
  return { test, file, status, states: [], positive: 0, negative: 0, flags: [], hazards: [], complete: false, explored: 0, transitions: 0, ms };
}

/** How `runSourceAsync` may use worker threads. */
export interface ParallelOptions {
  readonly pool: ExplorePool;
  /**
   * the search starts in this thread and moves to the pool once it has seen this many states
   * (small tests are answered before a worker would have started); 0 goes to the pool at once
   */
  readonly after: number;
  /** tests only: make a worker thread die (see SerializedExploreRecipe.crash) */
  readonly crash?: { readonly partition: number; readonly level: number };
}

interface Ready {
  readonly prog: Program;
  /** the test's Hazards= line, when it has a well-formed one */
  readonly expect?: readonly string[];
  readonly t0: number;
}

// Parse and load: the program, or the result of a test that cannot be explored.
function prepare(source: string, file: string, opts: RunOptions): { ready: Ready } | { done: TestResult } {
  const t0 = performance.now();
  const ms = (): number => Math.round((performance.now() - t0) * 10) / 10;
  const parsed = parseLitmus(source, file);
  if (!parsed.ok) {
    const e = parsed.error;
    const name = /^\S+\s+(\S+)/.exec(source)?.[1] ?? file;
    return { done: { ...base(file, name, 'error', ms()), problem: { line: e.line, col: e.col, message: e.message } } };
  }
  const test = parsed.test;
  if (test.arch !== 'AArch64') {
    return { done: { ...base(file, test.name, 'unsupported', ms()), problem: { line: 1, col: 1, construct: `architecture ${test.arch}`, message: `only AArch64 tests are supported, not ${test.arch}` } } };
  }
  const loaded = loadTest(test, opts);
  if (!loaded.ok) {
    const u = loaded.unsupported;
    return { done: { ...base(file, test.name, 'unsupported', ms()), problem: { line: u.span.line, col: u.span.col, construct: u.construct, message: u.message } } };
  }
  const expect = hazardExpectation(test);
  if (expect !== undefined && !expect.ok) {
    return { done: { ...base(file, test.name, 'error', ms()), problem: { line: expect.span.line, col: expect.span.col, message: expect.message } } };
  }
  return { ready: { prog: loaded.program, ...(expect === undefined ? {} : { expect: expect.keys }), t0 } };
}

// The result of an exploration, with the Hazards= check when the test pins its hazards.
function conclude(p: Ready, file: string, opts: RunOptions, r: ExplorationResult, symmetric: readonly (readonly number[])[] = []): TestResult {
  const res = { ...judge(p.prog, file, opts, r, p.t0), ...(symmetric.length === 0 ? {} : { symmetric }) };
  const expected = p.expect;
  if (expected === undefined) return res;
  const found = [...new Set(res.hazards.map(hazardKey))].sort();
  const ok = found.length === expected.length && found.every((k, i) => k === expected[i]);
  return { ...res, hazardCheck: { expected, found, ok } };
}

// The model met a construct it does not support while exploring: the test is unsupported.
function unsupportedResult(p: Ready, file: string, e: unknown): TestResult {
  if (!(e instanceof ModelUnsupported)) throw e;
  const slot = p.prog.threads[e.proc]?.code[e.pc];
  const span = slot?.instr.span;
  return {
    ...base(file, p.prog.test.name, 'unsupported', Math.round((performance.now() - p.t0) * 10) / 10),
    problem: { line: span?.line ?? 1, col: span?.col ?? 1, construct: slot?.instr.mnemonic ?? 'instruction', message: `P${e.proc} '${slot?.instr.text ?? '?'}': ${e.message}` },
  };
}

function budgetOf(opts: RunOptions, t0: number): Budget {
  const max = opts.maxStates;
  return {
    ...(max === undefined ? {} : { maxStates: max }),
    // the timeout counts from when the test started (parsing, and any search in this thread)
    ...(opts.timeout === undefined ? {} : { deadline: Date.now() - (performance.now() - t0) + opts.timeout * 1000 }),
    ...(opts.progress === undefined ? {} : { progress: opts.progress }),
    ...(opts.cancelled === undefined ? {} : { cancelled: opts.cancelled }),
    ...(opts.maxMemoryMb === undefined ? {} : { overMemory: () => process.memoryUsage().rss > (opts.maxMemoryMb as number) * 2 ** 20 }),
  };
}

function systemOptions(opts: RunOptions): { evictions: boolean; model: 'sc' | 'arm'; por: boolean; sleep: boolean; symmetry: boolean } {
  return { evictions: opts.evictions === true, model: opts.model, por: opts.por !== false, sleep: opts.sleep !== false, symmetry: opts.symmetry !== false };
}

/** Parses, loads and explores one test from its source text, in this thread. */
export function runSource(source: string, file: string, opts: RunOptions): TestResult {
  const p = prepare(source, file, opts);
  if ('done' in p) return p.done;
  const sys = searchedSystem(p.ready.prog, systemOptions(opts));
  try {
    return conclude(p.ready, file, opts, sys.finish(exploreExhaustive(sys.searched, budgetOf(opts, p.ready.t0)), opts.progress), sys.classes);
  } catch (e) {
    return unsupportedResult(p.ready, file, e);
  }
}

/**
 * Like runSource, but a search that outgrows `par.after` states continues on the worker pool
 * (explorer/parallel.ts), which gives the same result; meanwhile this thread stays free for the
 * progress line and Ctrl-C.
 */
export async function runSourceAsync(source: string, file: string, opts: RunOptions, par: ParallelOptions): Promise<TestResult> {
  const p = prepare(source, file, opts);
  if ('done' in p) return p.done;
  const ready = p.ready;
  const sys = searchedSystem(ready.prog, systemOptions(opts));
  try {
    const budget = budgetOf(opts, ready.t0);
    let probe;
    if (par.after > 0) {
      // The search starts here; past `after` states it hands its frontier to the workers at the
      // next level boundary (the states travel packed), unless it has finished by then.
      probe = exploreExhaustive(sys.searched, budget, { handOffAfter: par.after });
      if (probe.handoff === undefined) return conclude(ready, file, opts, sys.finish(probe, opts.progress), sys.classes);
    }
    // (only now: the pool's threads start when a search first needs them)
    const host = par.pool.host({
      source,
      file,
      ...(opts.defaultFaultMode === undefined ? {} : { defaultFaultMode: opts.defaultFaultMode }),
      ...(opts.unroll === undefined ? {} : { unroll: opts.unroll }),
      ...systemOptions(opts),
      ...(budget.deadline === undefined ? {} : { deadline: budget.deadline }),
      ...(budget.maxStates === undefined ? {} : { maxStates: budget.maxStates }),
      ...(par.crash === undefined ? {} : { crash: par.crash }),
    });
    const start = probe === undefined ? undefined : parallelStart(sys.searched, probe, host.size);
    const r = await exploreParallel(host, budget, start);
    return conclude(ready, file, opts, sys.finish(r, opts.progress), sys.classes);
  } catch (e) {
    return unsupportedResult(ready, file, e);
  }
}

function judge(prog: Program, file: string, opts: RunOptions, r: ExplorationResult, t0: number): TestResult {
  const states: ReportedState[] = r.outcomes.map((o) => {
    if (typeof o.detail !== 'boolean') throw new Error(`[internal] outcome ${o.key} without its condition value`);
    return { line: o.key, satisfies: o.detail, trace: traceToken(o.trace) };
  });
  const positive = states.filter((s) => s.satisfies).length;
  const negative = states.length - positive;
  const hazards: ReportedHazard[] = r.findings
    .filter((f) => !f.key.startsWith('flag:'))
    .map((f) => {
      const h: ReportedHazard = { ...(f.detail as Hazard), trace: traceToken(f.trace) };
      if (opts.explain !== true) return h;
      const ex = explainTrace(prog, h.trace, opts.model);
      return { ...h, explanation: ex.ok ? renderSteps(ex) : [`cannot replay: ${ex.message}`] };
    });
  hazards.sort((a, b) => (a.kind === b.kind ? a.cpu - b.cpu || (a.va < b.va ? -1 : a.va > b.va ? 1 : 0) : a.kind < b.kind ? -1 : 1));
  const cond = prog.condition;
  const observation = positive === 0 ? 'Never' : negative === 0 ? 'Always' : 'Sometimes';
  const ok = cond === undefined ? true : cond.quantifier === 'exists' ? positive > 0 : cond.quantifier === 'forall' ? negative === 0 : positive === 0;
  const flags: string[] = r.findings.filter((f) => f.key.startsWith('flag:')).map((f) => f.detail as string);
  // herd's name for the writer-side break-before-make problem, so herd users see the familiar flag.
  if (hazards.some((h) => h.kind === 'amalgamation')) flags.unshift('Warning-BBM-expected');
  return {
    test: prog.test.name,
    file,
    status: r.stopped === 'timeout' ? 'timeout' : 'ok',
    ...(cond === undefined ? {} : { quantifier: cond.quantifier, condition: conditionText(prog) }),
    observation,
    ok,
    states,
    positive,
    negative,
    flags,
    hazards,
    complete: r.complete,
    ...(r.stopped === undefined ? {} : { stopped: r.stopped }),
    explored: r.distinct,
    transitions: r.transitions,
    ms: Math.round((performance.now() - t0) * 10) / 10,
  };
}

/** herd's rendering of the final condition: `exists (1:X0=1 /\ not (fault(P1:L0,x)))`. */
export function conditionText(prog: Program): string {
  const c = prog.test.condition;
  if (c === undefined) return '';
  const q = c.quantifier === 'not exists' ? '~exists' : c.quantifier;
  return `${q} (${propText(c.prop, 0)})`;
}

function valueText(v: Value): string {
  switch (v.kind) {
    case 'int':
      return v.value.toString();
    case 'loc':
      return v.ref.kind === 'var' ? v.ref.name : v.ref.kind === 'pa' ? `PA(${v.ref.name})` : `PTE(${v.ref.name})`;
    case 'desc':
      return `(${v.fields.map((f) => `${f.name}:${valueText(f.value)}`).join(', ')})`;
    case 'attrs':
      return `(${v.names.join(',')})`;
    case 'label':
      return `label:"P${v.proc}:${v.label}"`;
    case 'addr-of':
      return `&${v.name}`;
    case 'array':
      return `{${v.items.map(valueText).join(',')}}`;
  }
}

// Precedence levels: 0 top, 1 inside \/, 2 inside /\, 3 atom.
function propText(p: Prop, level: number): string {
  switch (p.kind) {
    case 'true':
      return 'true';
    case 'false':
      return 'false';
    case 'not':
      return `not (${propText(p.arg, 0)})`;
    case 'fault': {
      const f = p.fault;
      let s = `fault(P${f.proc}${f.label === undefined ? '' : `:${f.label}`}`;
      if (f.loc !== undefined) s += `,${f.loc}`;
      if (f.faultType !== undefined) s += `,${f.faultType}`;
      return `${s})`;
    }
    case 'eq': {
      const lhs = p.lhs.kind === 'reg' ? `${p.lhs.reg.proc}:${p.lhs.reg.reg.replace(/^W/, 'X')}` : p.lhs.loc.kind === 'var' ? `[${p.lhs.loc.name}]` : `[PTE(${p.lhs.loc.name})]`;
      return `${lhs}${p.negated ? '!=' : '='}${valueText(p.rhs)}`;
    }
    case 'and': {
      const s = `${propText(p.left, 2)} /\\ ${propText(p.right, 2)}`;
      return level > 2 ? `(${s})` : s;
    }
    case 'or': {
      const s = `${propText(p.left, 1)} \\/ ${propText(p.right, 1)}`;
      return level > 1 ? `(${s})` : s;
    }
    case 'implies': {
      const s = `${propText(p.left, 1)} => ${propText(p.right, 1)}`;
      return level > 0 ? `(${s})` : s;
    }
  }
}
