// The main thread's side of a parallel exhaustive search: a piscina pool whose threads each run
// one partition task (workers/explore-worker.ts) for the whole search, driven over a
// MessageChannel with comlink. A thread that dies rejects its task; every call then raced
// against it fails with PartitionLost, and the coordinator starts a new task in its place.

import { MessageChannel } from 'node:worker_threads';
import * as Comlink from 'comlink';
import { Piscina } from 'piscina';
import type { PartitionApi } from '../explorer/level-partition.js';
import { PartitionLost, type PartitionHost, type RemotePartition } from '../explorer/parallel.js';
import { ModelUnsupported } from '../model/machine.js';
import type { SerializedExploreRecipe, SerializedExploreTask, SerializedUnsupported } from './contract.js';

function isUnsupported(e: unknown): e is SerializedUnsupported {
  return typeof e === 'object' && e !== null && 'unsupported' in e;
}

/** A pool of worker threads for parallel searches; create once per command, destroy at the end. */
export class ExplorePool {
  private readonly pool: Piscina<SerializedExploreTask, void>;

  constructor(
    readonly size: number,
    workerFile?: string,
  ) {
    this.pool = new Piscina<SerializedExploreTask, void>({
      filename: workerFile ?? new URL('./explore-worker.js', import.meta.url).href,
      minThreads: size,
      maxThreads: size,
      idleTimeout: 60_000,
      // each task is long and waits on its port between calls; a blocked event loop would starve it
      atomics: 'disabled',
    });
  }

  /** The partitions of one search of the test `recipe` describes. */
  host(recipe: SerializedExploreRecipe): PartitionHost {
    const attempts = new Map<number, number>();
    return {
      size: this.size,
      // the worker's system is vmsaSystem's, which packs states (model/state.ts packState)
      transfers: true,
      start: async (index, table, control) => {
        const attempt = attempts.get(index) ?? 0;
        attempts.set(index, attempt + 1);
        const { port1, port2 } = new MessageChannel();
        const task = this.pool.run({ recipe, partition: index, attempt, port: port2, table, control }, { transferList: [port2] as never });
        let died: (e: Error) => void = () => undefined;
        const death = new Promise<never>((_, reject) => {
          died = reject;
        });
        death.catch(() => undefined);
        task.catch((e: unknown) => died(new PartitionLost(`partition ${index} lost its thread: ${(e as Error).message}`)));
        const remote = Comlink.wrap<PartitionApi & { close(): void }>(port1 as unknown as Comlink.Endpoint);
        // comlink listens with addEventListener, which does not keep the event loop alive by itself
        port1.ref();
        const guarded = async <R>(call: () => Promise<R>): Promise<R> => {
          try {
            return await Promise.race([call(), death]);
          } catch (e) {
            if (isUnsupported(e)) throw new ModelUnsupported(e.unsupported.proc, e.unsupported.pc, e.unsupported.message);
            throw e;
          }
        };
        const p: RemotePartition = {
          seed: (level, items) => guarded(() => remote.seed(level, items)),
          expand: () => guarded(() => remote.expand()),
          settle: (contested) => guarded(() => remote.settle(contested)),
          assign: (ranks, edges, sleeps) => guarded(() => remote.assign(ranks, edges, sleeps)),
          drop: (ranks) => guarded(() => remote.drop(ranks)),
          adopt: (level, items) => guarded(() => remote.adopt(level, items)),
          take: (ranks) => guarded(() => remote.take(ranks)),
          retable: (src, dst, from, to, level) => guarded(() => remote.retable(src, dst, from, to, level)),
          close: async () => {
            try {
              await guarded(() => remote.close());
              await task;
            } finally {
              port1.close();
            }
          },
        };
        return p;
      },
    };
  }

  /** Ends the threads. */
  async destroy(): Promise<void> {
    await this.pool.destroy();
  }
}
