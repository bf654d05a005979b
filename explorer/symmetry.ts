// Symmetry reduction (Ip and Dill 1996, "Better verification through symmetry"): when some
// threads are interchangeable (same code, same initial registers), states that differ only by a
// permutation of them behave alike, so the search explores one representative per orbit. The
// model says which permutations are symmetries and how to pick and permute representatives; this
// file turns that into a transition system over representatives (`quotientSystem`) and turns what
// a search of it found back into concrete results with replayable traces (`expandQuotient`).
//
// Soundness rests on the model's promise that every permutation in the group maps the initial
// state to itself, transitions to transitions, findings to findings (keys renamed by
// `findingKey`) and final states to final states. The representative need not be the orbit's
// unique canonical member: a cheaper choice only explores more states, never fewer orbits.

import type { ExplorationResult, Progress, Witnessed } from './exhaustive.js';
import { deepEqual, type Finding, type Trace, type TransitionSystem } from './system.js';

/** A permutation of threads: `perm[i]` is where thread i's part of a state goes. */
export type Perm = readonly number[];

/** What a model says about the interchangeable threads of one test. */
export interface Symmetry<S, T = unknown> {
  /** the interchangeable threads: classes of two or more, for reports */
  readonly classes: readonly (readonly number[])[];
  /** every permutation of the group, the identity first, in a fixed order */
  readonly group: readonly Perm[];
  /** a representative of `s`'s orbit, and the permutation `perm` with apply(s, perm) equal to it */
  canon(s: S): { readonly state: S; readonly perm: Perm };
  /** `s` with its threads permuted */
  apply(s: S, perm: Perm): S;
  /** the key of a finding once the threads are permuted */
  findingKey(key: string, perm: Perm): string;
  /** whether `s` is final (an outcome may be taken of some permutation of it) */
  final(s: S): boolean;
  /**
   * true when the outcomes of two states that have the same outcome are, permutation by
   * permutation, the same (every thread's observed locations are observed for the threads it is
   * interchangeable with, and nothing filters by thread); the quotient then records outcomes as
   * they are, without taking every permutation of every final state
   */
  readonly outcomesFollow: boolean;
  /**
   * optional, for speed: the transition of apply(s, g) that is `t` of `s` permuted. Witnesses of
   * findings check it at every step (a wrong one costs a search of the enabled transitions, not a
   * result); witnesses of outcomes place their permuted steps with it without taking them, and
   * check that against a stepped run once per permutation only (a map found wrong there is then
   * checked everywhere), so it should be exact
   */
  mapTransition?(s: S, t: T, g: Perm): T;
  /**
   * optional, for speed: a key of what the outcome of apply(s, g) is made of, read off `s`
   * without building the image: for one state `s`, two images with equal keys have equal
   * outcomes (left out where the model cannot tell without the image)
   */
  observation?(s: S, g: Perm): number;
  /**
   * optional, for speed: where the image of ts[j] lands, `ts` being enabled(s): a function giving,
   * for a permutation g, its index in enabled(apply(s, g)), read off `ts` without building the
   * image (undefined where the model cannot tell that way: the caller then looks the mapped
   * transition up in the image's list)
   */
  placer?(s: S, ts: readonly T[], j: number): ((g: Perm) => number | undefined) | undefined;
}

/** p after q: (p ∘ q)[i] = p[q[i]]. */
export function compose(p: Perm, q: Perm): Perm {
  return q.map((x) => p[x] as number);
}

/** The inverse permutation. */
export function inverse(p: Perm): Perm {
  const out: number[] = new Array<number>(p.length);
  p.forEach((x, i) => {
    out[x] = i;
  });
  return out;
}

// Outcomes of a representative stand for its whole orbit: the key the quotient search records is
// the sorted list of the outcomes of every permutation of the state (an outcome line need not be
// renamed like a finding key: it may show only some threads' registers).
const ORBIT = '\u0000';

/**
 * `sys` seen through its symmetries: every state reached is replaced by its representative. Its
 * traces index the enabled lists of representatives; `expandQuotient` turns results back.
 */
export function quotientSystem<S, T>(sys: TransitionSystem<S, T>, sym: Symmetry<S, T>): TransitionSystem<S, T> {
  const q: TransitionSystem<S, T> = {
    initial: () => sym.canon(sys.initial()).state,
    enabled: (s) => sys.enabled(s),
    step: (s, t) => {
      const r = sys.step(s, t);
      const c = sym.canon(r.state);
      return { state: c.state, findings: r.findings, perm: c.perm };
    },
    key: (s) => sys.key(s),
    stateFindings: (s) => sys.stateFindings(s),
    outcome: (s) => {
      if (sym.outcomesFollow) return sys.outcome(s);
      if (!sym.final(s)) return undefined;
      const all = new Set<string>();
      for (const g of sym.group) {
        const o = sys.outcome(sym.apply(s, g));
        if (o !== undefined) all.add(o);
      }
      return all.size === 0 ? undefined : [...all].sort().join(ORBIT);
    },
  };
  if (sys.reduce !== undefined) {
    const reduce = sys.reduce.bind(sys);
    q.reduce = (s, ts) => reduce(s, ts);
  }
  // Sleep sets carry over: commuting steps of a state commute in its representative, and the
  // explorer permutes a successor's mask along with its threads.
  if (sys.sleep !== undefined) q.sleep = sys.sleep;
  if (sys.keep !== undefined) {
    const keep = sys.keep.bind(sys);
    q.keep = (s) => keep(s);
  }
  if (sys.encode !== undefined && sys.decode !== undefined) {
    const encode = sys.encode.bind(sys);
    const decode = sys.decode.bind(sys);
    q.encode = (s) => encode(s);
    q.decode = (w, at) => decode(w, at);
  }
  if (sys.pack !== undefined && sys.unpack !== undefined) {
    const pack = sys.pack.bind(sys);
    const unpack = sys.unpack.bind(sys);
    q.pack = (ss) => pack(ss);
    q.unpack = (b) => unpack(b);
  }
  if (sys.packEncoded !== undefined && sys.unpackEncoded !== undefined) {
    const packEncoded = sys.packEncoded.bind(sys);
    const unpackEncoded = sys.unpackEncoded.bind(sys);
    q.packEncoded = (w, at) => packEncoded(w, at);
    q.unpackEncoded = (b) => unpackEncoded(b);
  }
  if (sys.actor !== undefined) {
    const actor = sys.actor.bind(sys);
    q.actor = (t) => actor(t);
  }
  return q;
}

/** A concrete run: its states (the initial one first), and per step the transition, its index in the enabled list and the edge's findings. */
interface Run<S, T> {
  readonly states: S[];
  readonly steps: T[];
  readonly choices: number[];
  readonly edges: (readonly Finding[])[];
  /** the model's placer (Symmetry.placer) of each step, made as mapChoices needs them (one serves every permutation; null: none) */
  placers?: (((g: Perm) => number | undefined) | null | undefined)[];
}

const keySet = (fs: readonly Finding[], rename: (k: string) => string): string =>
  [...new Set(fs.map((f) => rename(f.key)))].sort().join(ORBIT);

// The index of transition `t` in the enabled list `ts` (transitions are plain data), or -1.
function indexIn<T>(ts: readonly T[], t: T): number {
  return ts.findIndex((u) => deepEqual(u, t));
}

// The successor of `from` that is the state with key `target` over an edge showing `edgeKeys`:
// the guessed transition if it is enabled and fits, else the first that fits in enabled order.
function matchStep<S, T>(sys: TransitionSystem<S, T>, from: S, target: string | number, edgeKeys: string, guess?: T): Stepped<S, T> {
  const ts = sys.enabled(from);
  const fits = (j: number): Stepped<S, T> | undefined => {
    const r = sys.step(from, ts[j] as T);
    return sys.key(r.state) === target && keySet(r.findings, (k) => k) === edgeKeys ? { choice: j, step: ts[j] as T, state: r.state, findings: r.findings } : undefined;
  };
  if (guess !== undefined) {
    const j = indexIn(ts, guess);
    const m = j < 0 ? undefined : fits(j);
    if (m !== undefined) return m;
  }
  for (let j = 0; j < ts.length; j++) {
    const m = fits(j);
    if (m !== undefined) return m;
  }
  throw new Error('[internal] symmetry: no step of the concrete system matches a step of the quotient (the model broke a symmetry it promised)');
}

type Stepped<S, T> = { readonly choice: number; readonly step: T; readonly state: S; readonly findings: readonly Finding[] };

// Witness traces share prefixes (they are paths of one search tree), so the steps of concrete
// and permuted runs are memoised by prefix, in tries of choices: one for concrete runs, one per
// group element for permuted ones. Both are deterministic functions of their path. (String keys
// of the choices were rebuilt and hashed at every step of every run.)
interface Trie<V> {
  value: V | undefined;
  /** by choice (choices are small: indices in an enabled list) */
  readonly next: (Trie<V> | undefined)[];
}

function child<V>(t: Trie<V>, c: number): Trie<V> {
  let n = t.next[c];
  if (n === undefined) {
    n = { value: undefined, next: [] };
    while (t.next.length < c) t.next.push(undefined);
    t.next[c] = n;
  }
  return n;
}

interface Memo<S, T> {
  readonly concrete: Trie<{ readonly m: Stepped<S, T>; readonly rep: S; readonly tau: Perm }>;
  /** by group element index (undefined once no more runs will be mapped by it) */
  readonly mapped: (Trie<Stepped<S, T>> | undefined)[];
  /**
   * mapChoices's, by group element index: the image's choice of each step the model's placer
   * declined, by concrete state (runs of one witness tree share their states) and choice
   */
  readonly choices: (Map<S, (number | undefined)[]> | undefined)[];
}

// The concrete run of a quotient trace (`tau` maps each concrete state to the representative
// the quotient reached at that step).
function concretize<S, T>(sys: TransitionSystem<S, T>, sym: Symmetry<S, T>, trace: Trace, memo: Memo<S, T>): Run<S, T> {
  const init = sys.initial();
  const first = sym.canon(init);
  let rep = first.state;
  let tau = first.perm;
  const run: Run<S, T> = { states: [init], steps: [], choices: [], edges: [] };
  let x = init;
  let node = memo.concrete;
  for (const c of trace.choices) {
    node = child(node, c);
    let hit = node.value;
    if (hit === undefined) {
      const t = sys.enabled(rep)[c];
      if (t === undefined) throw new Error('[internal] symmetry: a quotient trace does not replay');
      const r = sys.step(rep, t);
      const back = inverse(tau);
      const m = matchStep(sys, x, sys.key(sym.apply(r.state, back)), keySet(r.findings, (k) => sym.findingKey(k, back)), sym.mapTransition?.(rep, t, back));
      const canon = sym.canon(r.state);
      hit = { m, rep: canon.state, tau: compose(canon.perm, tau) };
      node.value = hit;
    }
    rep = hit.rep;
    tau = hit.tau;
    x = hit.m.state;
    push(run, hit.m);
  }
  return run;
}

function push<S, T>(run: Run<S, T>, m: Stepped<S, T>): void {
  run.states.push(m.state);
  run.steps.push(m.step);
  run.choices.push(m.choice);
  run.edges.push(m.findings);
}

// The run `run` with its threads permuted by `g` (the group's element `gi`): same length,
// replayable from the initial state. With the model's transition map, the permuted transitions
// are taken as they come and only the end is checked; without it (or if the check fails) every
// step is matched against its target.
function mapRun<S, T>(sys: TransitionSystem<S, T>, sym: Symmetry<S, T>, run: Run<S, T>, g: Perm, gi: number, memo: Memo<S, T>): Run<S, T> {
  const init = run.states[0] as S;
  const n = run.choices.length;
  const edgeKeys = (k: number): string => keySet(run.edges[k] as readonly Finding[], (key) => sym.findingKey(key, g));
  if (sym.mapTransition !== undefined) {
    const fast = ((): Run<S, T> | undefined => {
      let y = init;
      const out: Run<S, T> = { states: [y], steps: [], choices: [], edges: [] };
      let node: Trie<Stepped<S, T>> = memo.mapped[gi] ?? (memo.mapped[gi] = { value: undefined, next: [] });
      for (let k = 0; k < n; k++) {
        node = child(node, run.choices[k] as number);
        let m = node.value;
        if (m === undefined) {
          const ts = sys.enabled(y);
          const j = indexIn(ts, sym.mapTransition?.(run.states[k] as S, run.steps[k] as T, g) as T);
          if (j < 0) return undefined;
          const r = sys.step(y, ts[j] as T);
          m = { choice: j, step: ts[j] as T, state: r.state, findings: r.findings };
          node.value = m;
        }
        y = m.state;
        push(out, m);
      }
      const ok = sys.key(y) === sys.key(sym.apply(run.states[n] as S, g)) && (n === 0 || keySet(out.edges[n - 1] as readonly Finding[], (k) => k) === edgeKeys(n - 1));
      return ok ? out : undefined;
    })();
    if (fast !== undefined) return fast;
  }
  let y = init;
  const out: Run<S, T> = { states: [y], steps: [], choices: [], edges: [] };
  for (let k = 1; k <= n; k++) {
    const m = matchStep(sys, y, sys.key(sym.apply(run.states[k] as S, g)), edgeKeys(k - 1));
    y = m.state;
    push(out, m);
  }
  return out;
}

// The choices of the run `run` with its threads permuted by `g` (element `gi`), and its last
// state, when the model maps transitions: step k of the permuted run is the permuted transition
// in the enabled list of apply(state k, g), and the states are the permuted states, which the
// group's promise (each permutation maps steps to steps) makes the run's own; so no step is
// taken, only each permuted transition's place found (an outcome's witness needs no more). A
// permuted transition that is not enabled there breaks the promise: undefined, and the caller
// maps the run step by step.
function mapChoices<S, T>(sys: TransitionSystem<S, T>, sym: Symmetry<S, T>, run: Run<S, T>, g: Perm, gi: number, memo: Memo<S, T>): { choices: number[]; end: S } | undefined {
  const mapT = sym.mapTransition;
  if (mapT === undefined) return undefined;
  const choices: number[] = [];
  for (let k = 0; k < run.choices.length; k++) {
    const x = run.states[k] as S;
    const c = run.choices[k] as number;
    // (placing a step by the model's placer costs less than memoising it)
    let j: number | undefined;
    if (sym.placer !== undefined) {
      const placers = (run.placers ??= []);
      let place = placers[k];
      if (place === undefined) placers[k] = place = sym.placer(x, sys.enabled(x), c) ?? null;
      if (place !== null) j = place(g);
    }
    if (j === undefined) {
      const byState = (memo.choices[gi] ??= new Map());
      let row = byState.get(x);
      if (row === undefined) byState.set(x, (row = []));
      j = row[c];
      if (j === undefined) {
        j = indexIn(sys.enabled(sym.apply(x, g)), mapT(x, run.steps[k] as T, g));
        while (row.length < c) row.push(undefined);
        row[c] = j;
      }
    }
    if (j < 0) return undefined;
    choices.push(j);
  }
  return { choices, end: sym.apply(run.states[run.states.length - 1] as S, g) };
}

const byTrace = (a: Witnessed, b: Witnessed): number => {
  const x = a.trace.choices;
  const y = b.trace.choices;
  if (x.length !== y.length) return x.length - y.length;
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return (x[i] as number) - (y[i] as number);
  return a.key < b.key ? -1 : a.key > b.key ? 1 : 0;
};

/**
 * The concrete result of a search of `quotientSystem(sys, sym)`: every outcome and finding of
 * every permutation of what it found, each with a trace of `sys` (one of the shortest, since a
 * permutation of a trace has its length). Deterministic: orbits are taken in the order of their
 * quotient witnesses (shortest, then first in choice order), permutations in the group's order.
 */
export function expandQuotient<S, T>(sys: TransitionSystem<S, T>, sym: Symmetry<S, T>, r: ExplorationResult, progress?: (p: Progress) => void): ExplorationResult {
  const init = sys.initial();
  // progress: orbits (quotient outcomes and findings) expanded, at the first and then at most
  // every 200 ms
  const of = r.outcomes.length + r.findings.length;
  let done = 0;
  let shown = 0;
  const report = (permuted?: { done: number; of: number }, now = false): void => {
    if (progress === undefined || (!now && Date.now() - shown < 200)) return;
    shown = Date.now();
    progress({ distinct: r.distinct, transitions: r.transitions, frontier: 0, expanding: { done, of, ...(permuted === undefined ? {} : { permuted }) } });
  };
  const tick = (): void => {
    done++;
    report();
  };
  for (const g of sym.group) if (sys.key(sym.apply(init, g)) !== sys.key(init)) throw new Error('[internal] symmetry: a permutation of the group moves the initial state');
  const memo: Memo<S, T> = { concrete: { value: undefined, next: [] }, mapped: [], choices: [] };
  // Outcomes in two passes. First, which permutation of which witness shows each outcome first
  // (images of a witness equal to an earlier image show nothing new; a state fixed by many
  // permutations, e.g. readers that read alike, has few distinct images). Then the permuted
  // runs, a permutation at a time, freeing each permutation's memo when done: kept for all
  // permutations at once, the runs' states made the expansion of a 7-CPU fixmap test spend half
  // its time in the garbage collector.
  const picks: { readonly o: string; readonly run: Run<S, T>; readonly gi: number }[] = [];
  const claimed = new Set<string>();
  const observe = sym.observation?.bind(sym);
  for (const w of [...r.outcomes].sort(byTrace)) {
    tick();
    const run = concretize(sys, sym, w.trace, memo);
    const x = run.states[run.states.length - 1] as S;
    // images with the same state, or (cheaper, when the model reads it off) the same observed
    // values, show the same outcome: only the first of them is built and looked at
    const images = new Set<string | number>();
    for (const [gi, g] of sym.group.entries()) {
      let y = observe === undefined ? sym.apply(x, g) : undefined;
      const k = observe === undefined ? sys.key(y as S) : observe(x, g);
      if (images.has(k)) continue;
      images.add(k);
      y ??= sym.apply(x, g);
      const o = sys.outcome(y);
      if (o === undefined || claimed.has(o)) continue;
      claimed.add(o);
      picks.push({ o, run, gi });
    }
  }
  const outcomes = new Map<string, Witnessed>();
  let trustMap = sym.mapTransition !== undefined;
  const byPerm = picks.map((_, i) => i).sort((a, b) => (picks[a] as { gi: number }).gi - (picks[b] as { gi: number }).gi || a - b);
  for (let i = 0; i < byPerm.length; i++) {
    report({ done: i, of: byPerm.length }, i === 0);
    const { o, run, gi } = picks[byPerm[i] as number] as (typeof picks)[number];
    const g = sym.group[gi] as Perm;
    const stepped = (): { choices: number[]; end: S } => {
      const m = mapRun(sys, sym, run, g, gi, memo);
      return { choices: m.choices, end: m.states[m.states.length - 1] as S };
    };
    let mapped = trustMap ? mapChoices(sys, sym, run, g, gi, memo) : undefined;
    // The first run of each permutation is also mapped step by step: if the two disagree, the
    // model's transition map is not exact, and every run is mapped step by step from then on.
    const prev = picks[byPerm[i - 1] as number];
    if (mapped !== undefined && (prev === undefined || prev.gi !== gi)) {
      const check = stepped();
      if (check.choices.join() !== mapped.choices.join()) trustMap = false;
      mapped = check;
    }
    mapped ??= stepped();
    outcomes.set(o, { key: o, detail: sys.outcomeDetail?.(mapped.end), trace: { version: 1, choices: mapped.choices } });
    const next = picks[byPerm[i + 1] as number];
    if (next === undefined || next.gi !== gi) {
      memo.mapped[gi] = undefined;
      memo.choices[gi] = undefined;
    }
  }
  const findings = new Map<string, Witnessed>();
  for (const w of [...r.findings].sort(byTrace)) {
    tick();
    // the orbit of a key is the orbit of any key in it: a finding already expanded needs no replay
    if (sym.group.every((g) => findings.has(sym.findingKey(w.key, g)))) continue;
    const run = concretize(sys, sym, w.trace, memo);
    // The concrete run ends with a member of w.key's orbit: on its last edge (an edge finding,
    // in the frame of the state before the last step) or on its last state.
    const orbit = new Set(sym.group.map((g) => sym.findingKey(w.key, g)));
    const end = run.states[run.states.length - 1] as S;
    const key = [...(run.edges[run.edges.length - 1] ?? []), ...sys.stateFindings(end)].map((f) => f.key).find((k) => orbit.has(k));
    if (key === undefined) throw new Error(`[internal] symmetry: the concrete witness of ${w.key} does not show it`);
    for (const [gi, g] of sym.group.entries()) {
      const k = sym.findingKey(key, g);
      if (findings.has(k)) continue;
      const mapped = mapRun(sys, sym, run, g, gi, memo);
      const last = mapped.states[mapped.states.length - 1] as S;
      const shown = [...(mapped.edges[mapped.edges.length - 1] ?? []), ...sys.stateFindings(last)].find((f) => f.key === k);
      if (shown === undefined) throw new Error(`[internal] symmetry: the permuted witness of ${w.key} does not show ${k}`);
      findings.set(k, { key: k, detail: shown.detail, trace: { version: 1, choices: mapped.choices } });
    }
  }
  const byKey = (a: Witnessed, b: Witnessed): number => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);
  return { ...r, outcomes: [...outcomes.values()].sort(byKey), findings: [...findings.values()].sort(byKey) };
}
