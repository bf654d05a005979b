// The symmetries of a loaded test: CPUs that run the same code from the same initial registers
// are interchangeable (the fixmap family: one writer, many identical readers). A permutation of
// them maps a state to a state that behaves alike: the machine's rules never single out a CPU by
// its number, only by what it runs. Representatives sort each class of CPUs by their digest.

import type { Perm, Symmetry } from '../explorer/symmetry.js';
import type { Machine, Transition } from './machine.js';
import type { Program } from './program.js';
import { compareRecords, cpuDigestOf, cpuWith, instWith, fingerprint, type CpuState, type FaultRec, type MachineState, type PendingInv, type QuietRemap, type TlbEntry } from './state.js';

/** Largest group explored by symmetry (8!); larger classes are cut to their first members. */
const MAX_GROUP = 40320;

// What must be equal for two threads to be interchangeable: everything the machine reads of a
// thread except its number (and the source text of its instructions).
function signature(prog: Program, proc: number): string {
  const t = prog.threads[proc];
  if (t === undefined) return '';
  const plain = {
    code: t.code.map((s) => ({ op: s.op, labels: s.labels })),
    mainEnd: t.mainEnd,
    handlerStart: t.handlerStart,
    labels: [...t.labels],
    el0: t.el0,
    ha: t.ha,
    hd: t.hd,
    regs: prog.initRegs[proc] ?? [],
  };
  return JSON.stringify(plain, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v));
}

/** Classes of interchangeable CPUs (two or more each), in CPU order. */
export function symmetricClasses(prog: Program): number[][] {
  const bySig = new Map<string, number[]>();
  prog.threads.forEach((_, proc) => {
    const sig = signature(prog, proc);
    const cls = bySig.get(sig);
    if (cls === undefined) bySig.set(sig, [proc]);
    else cls.push(proc);
  });
  const classes = [...bySig.values()].filter((c) => c.length > 1);
  // Keep the group within MAX_GROUP: trim the largest class while it is too big.
  const fact = (n: number): number => (n <= 1 ? 1 : n * fact(n - 1));
  const size = (): number => classes.reduce((a, c) => a * fact(c.length), 1);
  while (size() > MAX_GROUP) {
    const big = classes.reduce((a, c) => (c.length > a.length ? c : a));
    big.pop();
  }
  return classes.filter((c) => c.length > 1);
}

// Every permutation of `items` (lexicographic order of positions, the identity first).
function permutations(items: readonly number[]): number[][] {
  if (items.length <= 1) return [[...items]];
  const out: number[][] = [];
  items.forEach((x, i) => {
    for (const rest of permutations([...items.slice(0, i), ...items.slice(i + 1)])) out.push([x, ...rest]);
  });
  return out;
}

// The group: for each class, every arrangement of its members over its slots.
function groupOf(n: number, classes: readonly (readonly number[])[]): Perm[] {
  let group: number[][] = [Array.from({ length: n }, (_, i) => i)];
  for (const cls of classes) {
    const next: number[][] = [];
    for (const g of group) {
      for (const arr of permutations(cls)) {
        const h = [...g];
        // member cls[k] goes to slot arr[k]
        cls.forEach((m, k) => {
          h[m] = arr[k] as number;
        });
        next.push(h);
      }
    }
    group = next;
  }
  return group;
}

// An observed location with its thread replaced by `proc`.
function observedKey(o: Program['observed'][number], proc: number): string {
  switch (o.kind) {
    case 'reg':
      return `reg ${proc} ${o.reg}`;
    case 'mem':
      return `mem ${o.v} ${o.pte}`;
    case 'fault':
      return `fault ${proc} ${o.pc} ${o.v} ${o.faultType}`;
  }
}

/**
 * The symmetry of `prog`'s interchangeable CPUs for the explorer, or undefined when there are
 * none (or the initial state is not invariant, e.g. a register holds one thread's label).
 */
export function machineSymmetry(prog: Program, machine: Machine): Symmetry<MachineState, Transition> | undefined {
  const classes = symmetricClasses(prog);
  if (classes.length === 0) return undefined;
  const n = prog.threads.length;
  const V = prog.values;
  const hashes = V.hashes;
  const identity: Perm = Array.from({ length: n }, (_, i) => i);
  // Values naming a thread (code labels) are renamed with it. Most tests have none: they come
  // only from the init block, ADR, and exception entry into a handler column (ELR_EL1).
  const labels = V.hashes.some((_, id) => V.get(id).k === 'label') || prog.threads.some((t) => t.handlerStart >= 0 || t.code.some((c) => c.op.op === 'adr'));
  const renameValue = (id: number, g: Perm): number => {
    if (id < 0) return id;
    const x = V.get(id);
    if (x.k !== 'label') return id;
    const p = g[x.proc] as number;
    return p === x.proc ? id : V.intern({ ...x, proc: p });
  };
  // (loops, not closures: apply runs for every permutation of every witness's states)
  const movesRefs = (c: CpuState, g: Perm): boolean => {
    for (let k = 0; k < c.tlb.length; k++) {
      const e = c.tlb[k] as TlbEntry;
      if (e.escProc >= 0 && g[e.escProc] !== e.escProc) return true;
    }
    for (let k = 0; k < c.inv.length; k++) {
      const p = c.inv[k] as PendingInv;
      if (g[p.issuer] !== p.issuer) return true;
    }
    return false;
  };
  // The CPUs c's records name, added to `into`: the records movesRefs looks at, for callers
  // that test many permutations against one state (keep the two alike).
  const namedBy = (c: CpuState, into: number[]): void => {
    for (const e of c.tlb) if (e.escProc >= 0 && !into.includes(e.escProc)) into.push(e.escProc);
    for (const p of c.inv) if (!into.includes(p.issuer)) into.push(p.issuer);
  };
  const renameCpu = (c: CpuState, g: Perm): CpuState => {
    const refs = movesRefs(c, g);
    if (!refs && !labels) return c;
    let out: CpuState = c;
    if (refs) {
      out = cpuWith(out, {
        tlb: c.tlb.map((e) => (e.escProc < 0 ? e : { ...e, escProc: g[e.escProc] as number })).sort(compareRecords),
        inv: c.inv.map((p) => ({ ...p, issuer: g[p.issuer] as number })).sort(compareRecords),
      });
    }
    if (labels) {
      out = cpuWith(out, {
        regs: out.regs.map((r) => renameValue(r, g)),
        elr: renameValue(out.elr, g),
        win: out.win.map((i) => (i.out < 0 ? i : instWith(i, { out: renameValue(i.out, g) }))),
      });
    }
    return out;
  };
  const apply = (s: MachineState, g: Perm): MachineState => {
    const cpus: CpuState[] = new Array<CpuState>(n);
    for (let i = 0; i < n; i++) cpus[g[i] as number] = renameCpu(s.cpus[i] as CpuState, g);
    const out: MachineState = {
      mem: labels ? s.mem.map((m) => renameValue(m, g)) : s.mem,
      cpus,
      // (literals in the records' field order, not spreads: a spread cost most of apply)
      faults: s.faults.length === 0 ? s.faults : s.faults.map((f): FaultRec => ({ proc: g[f.proc] as number, pc: f.pc, va: f.va, type: f.type })).sort(compareRecords),
      remaps: s.remaps.length === 0 ? s.remaps : s.remaps.map((q): QuietRemap => ({ cpu: g[q.cpu] as number, va: q.va, oldDesc: q.oldDesc, newDesc: q.newDesc })).sort(compareRecords),
    };
    // (the CPUs renaming left as they were are the same objects, with their digests memoised)
    return out;
  };
  const canon = (s: MachineState): { state: MachineState; perm: Perm } => {
    let perm: number[] | undefined;
    for (const cls of classes) {
      const digests = cls.map((m) => cpuDigestOf(s.cpus[m] as CpuState, hashes));
      const order = cls.map((_, k) => k).sort((a, b) => (digests[a] as number) - (digests[b] as number) || a - b);
      order.forEach((k, slot) => {
        if (k === slot) return;
        perm ??= [...identity];
        perm[cls[k] as number] = cls[slot] as number;
      });
    }
    if (perm === undefined) return { state: s, perm: identity };
    return { state: apply(s, perm), perm };
  };
  // A transition names its CPU, and inv/evict an entry of a list that renaming may re-sort.
  const mapTransition = (s: MachineState, t: Transition, g: Perm): Transition => {
    const cpu = g[t.cpu] as number;
    if (t.k === 'inv' || t.k === 'evict') {
      const moved = apply(s, g).cpus[cpu] as CpuState;
      const old = s.cpus[t.cpu] as CpuState;
      const idx =
        t.k === 'inv'
          ? moved.inv.findIndex((p) => { const o = old.inv[t.idx]; return o !== undefined && p.pc === o.pc && p.va === o.va && p.issuer === g[o.issuer]; })
          : moved.tlb.findIndex((e) => { const o = old.tlb[t.idx]; return o !== undefined && e.va === o.va && e.desc === o.desc && e.escPc === o.escPc && e.escProc === (o.escProc < 0 ? o.escProc : g[o.escProc]); });
      return { ...t, cpu, idx };
    }
    return { ...t, cpu };
  };
  // Outcomes follow permutations when each class's members are observed alike and no filter
  // singles out a thread.
  const classOf = new Map<number, readonly number[]>();
  for (const cls of classes) for (const m of cls) classOf.set(m, cls);
  const seen = new Set(prog.observed.map((o) => observedKey(o, o.kind === 'mem' ? -1 : o.proc)));
  const outcomesFollow =
    prog.filter === undefined &&
    prog.observed.every((o) => o.kind === 'mem' || (classOf.get(o.proc) ?? []).every((m) => seen.has(observedKey(o, m))));
  // What an outcome line is made of (model/outcome.ts stateLine): the observed registers and
  // cells and, if a fault is observed, the faults taken. Under g, thread p's registers and
  // faults are those of the CPU g sends to p; with no value naming a thread (labels), cells do
  // not change. So, for one state, an image is told by which CPU's value each observed register
  // gets, and which CPU's faults each thread gets, up to CPUs holding equal ones: one digit per
  // such column (the first CPU holding that value), in base n, exact while it fits 53 bits. A
  // filter may read locations that are not observed: then images are built.
  const regObs = prog.observed.flatMap((o) => (o.kind === 'reg' ? [o] : []));
  const faultCols = prog.observed.some((o) => o.kind === 'fault') ? n : 0;
  const cols = regObs.length + faultCols;
  // column c reads CPU back[colProc[c]]: an observed register's thread, or each thread in turn
  const colProc = [...regObs.map((o) => o.proc), ...Array.from({ length: faultCols }, (_, p) => p)];
  const back = new Int32Array(n);
  const digits = new Int32Array(cols * n);
  let digitsOf: MachineState | undefined;
  const firstEqual = (c: number, vals: readonly (string | number)[]): void => {
    for (let i = 0; i < n; i++) {
      let j = 0;
      while (vals[j] !== vals[i]) j++;
      digits[c * n + i] = j;
    }
  };
  const observation =
    labels || prog.filter !== undefined || cols * Math.log2(Math.max(n, 2)) > 52
      ? undefined
      : (s: MachineState, g: Perm): number => {
          if (digitsOf !== s) {
            digitsOf = s;
            regObs.forEach((o, c) => firstEqual(c, s.cpus.map((cpu) => cpu.regs[o.reg] ?? 0)));
            if (faultCols > 0) {
              const taken = s.cpus.map((_, i) => s.faults.filter((f) => f.proc === i).map((f) => `${f.pc} ${f.va} ${f.type}`).join(';'));
              for (let p = 0; p < n; p++) firstEqual(regObs.length + p, taken);
            }
          }
          for (let i = 0; i < n; i++) back[g[i] as number] = i;
          let key = 0;
          for (let c = 0; c < cols; c++) key = key * n + (digits[c * n + (back[colProc[c] as number] as number)] as number);
          return key;
        };
  // Where a step lands in the image's enabled list. The machine lists a state's steps in
  // sections (Machine.enabledSection), each CPU by CPU, and what a CPU contributes to a section
  // depends only on that CPU, memory and the other CPUs taken as a set, in an order fixed by the
  // CPU's own records. Under g, CPU c's part moves to slot g[c] unchanged, unless renaming
  // re-sorts a record list (a TLB entry's escaped TLBI or a pending one's issuer naming a CPU g
  // moves) or changes a value (labels): then undefined. A list that is not in that shape is
  // left to the caller too. What depends only on the state is worked out once, in `placer`; the
  // function it returns places the step under each permutation.
  const placer = labels
    ? undefined
    : (s: MachineState, ts: readonly Transition[], j: number): ((g: Perm) => number | undefined) | undefined => {
        const t = ts[j];
        if (t === undefined) return undefined;
        // per section, per CPU: how many steps (sections come in order)
        const counts: number[] = [];
        let last = -1;
        for (let i = 0; i < ts.length; i++) {
          const u = ts[i] as Transition;
          const at = machine.enabledSection(u) * n + u.cpu;
          if (at < last) return undefined;
          last = at;
          while (counts.length <= at) counts.push(0);
          counts[at] = (counts[at] as number) + 1;
        }
        const sec = machine.enabledSection(t) * n;
        let base = 0; // steps of earlier sections
        for (let k = 0; k < sec; k++) base += counts[k] ?? 0;
        let before = base; // and of the CPUs before t's in its section
        for (let k = sec; k < sec + t.cpu; k++) before += counts[k] ?? 0;
        const own = j - before;
        const lens = Array.from({ length: n }, (_, i) => counts[sec + i] ?? 0);
        // the CPUs records name (a TLB entry's escaped TLBI, a pending TLBI's issuer)
        const named: number[] = [];
        for (const c of s.cpus) namedBy(c, named);
        return (g) => {
          for (let k = 0; k < named.length; k++) if (g[named[k] as number] !== named[k]) return undefined;
          // the image's section: CPU i's part now at slot g[i]; t's CPU's part goes after the slots before g[t.cpu]
          const to = g[t.cpu] as number;
          let at = base + own;
          for (let i = 0; i < n; i++) if ((g[i] as number) < to) at += lens[i] as number;
          return at;
        };
      };
  const sym: Symmetry<MachineState, Transition> = {
    outcomesFollow,
    mapTransition,
    ...(placer === undefined ? {} : { placer }),
    ...(observation === undefined ? {} : { observation }),
    classes,
    group: groupOf(n, classes),
    canon,
    apply,
    findingKey: (key, g) => {
      const m = /^([^:]+):P(\d+):(.*)$/s.exec(key);
      return m === null ? key : `${m[1]}:P${g[Number(m[2])] as number}:${m[3]}`;
    },
    final: (s) => machine.isFinal(s),
  };
  const init = machine.initial();
  const key = fingerprint(init, hashes);
  return sym.group.every((g) => fingerprint(apply(init, g), hashes) === key) ? sym : undefined;
}
