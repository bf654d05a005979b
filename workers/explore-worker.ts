// The worker entry point of a parallel exhaustive search: one piscina task per partition, lasting
// the whole search. It re-parses and re-loads the test from its recipe, builds the same transition
// system as the main thread, and serves explorer/level-partition.ts's calls over the task's port.

import * as Comlink from 'comlink';
import { FingerprintTable } from '../explorer/fingerprint-table.js';
import { LevelPartition, type PartitionApi } from '../explorer/level-partition.js';
import { parseLitmus } from '../litmus/parser.js';
import { ModelUnsupported } from '../model/machine.js';
import { loadParsed } from '../cli/load-source.js';
import { searchedSystem } from '../cli/vmsa-system.js';
import type { SerializedExploreTask, SerializedUnsupported } from './contract.js';

// A construct the model does not support crosses the thread boundary as data (class identity
// does not survive structured clone); the host turns it back into ModelUnsupported.
function guard<A extends unknown[], R>(f: (...a: A) => R): (...a: A) => R {
  return (...a) => {
    try {
      return f(...a);
    } catch (e) {
      if (e instanceof ModelUnsupported) throw { unsupported: { proc: e.proc, pc: e.pc, message: e.message } } satisfies SerializedUnsupported;
      throw e;
    }
  };
}

/** Serves one partition until the coordinator closes it. */
export default async function explorePartition(task: SerializedExploreTask): Promise<void> {
  const r = task.recipe;
  const parsed = parseLitmus(r.source, r.file);
  if (!parsed.ok) throw new Error(`[internal] worker cannot parse ${r.file}: ${parsed.error.message}`);
  const loaded = loadParsed(parsed.test, r.file, { ...(r.defaultFaultMode === undefined ? {} : { defaultFaultMode: r.defaultFaultMode }), ...(r.unroll === undefined ? {} : { unroll: r.unroll }) });
  if (!loaded.ok) throw new Error(`[internal] worker cannot load ${r.file}: ${loaded.message}`);
  const sys = searchedSystem(loaded.program, { model: r.model, evictions: r.evictions, por: r.por, sleep: r.sleep, symmetry: r.symmetry }).searched;
  const part = new LevelPartition(sys, new FingerprintTable(task.table), new Int32Array(task.control), {
    ...(r.deadline === undefined ? {} : { deadline: r.deadline }),
    ...(r.maxStates === undefined ? {} : { maxStates: r.maxStates }),
  });
  let level = 0;
  await new Promise<void>((resolve) => {
    const api: PartitionApi & { close(): void } = {
      seed: guard((lvl, items) => {
        level = lvl;
        return part.seed(lvl, items);
      }),
      expand: guard(() => {
        if (r.crash !== undefined && r.crash.partition === task.partition && r.crash.level === level && task.attempt === 0) process.exit(1);
        const e = part.expand();
        return Comlink.transfer(e, [e.lowered.buffer]);
      }),
      settle: guard((contested) => {
        const s = part.settle(contested);
        return Comlink.transfer(s, [s.edges.buffer, s.sleeps.buffer, s.spares.buffer]);
      }),
      assign: (ranks, edges, sleeps) => {
        const missing = part.assign(ranks, edges, sleeps);
        level++;
        return missing;
      },
      drop: (ranks) => part.drop(ranks),
      adopt: guard((lvl, items) => {
        level = lvl;
        part.adopt(lvl, items);
      }),
      take: (ranks) => part.take(ranks),
      retable: (src, dst, from, to, lvl) => part.retable(src, dst, from, to, lvl),
      // after comlink has posted this call's reply
      close: () => void setImmediate(resolve),
    };
    Comlink.expose(api, task.port as unknown as Comlink.Endpoint);
  });
  task.port.close();
}
