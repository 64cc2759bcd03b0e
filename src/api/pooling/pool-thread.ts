// The pooling thread: colbert_pool_factor's Ward pooling of one text's rows,
// away from the main thread (at 8191 rows it takes seconds, which would hold
// every other request). Distances from onnxruntime (gram-distances.ts), the
// merges and the means as colbert-pooling.ts defines them.
import os from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';
import { clusterMeans, pooledRowCount, wardClusters } from '../colbert-pooling.ts';
import { GramDistances } from './gram-distances.ts';
import type { FromPoolThread, ToPoolThread } from './pool-worker.ts';

const port = parentPort!;
const distances = GramDistances.create((workerData as { threads?: number }).threads ?? os.availableParallelism());

port.on('message', async (msg: ToPoolThread) => {
  try {
    const { flat, dim, factor } = msg;
    const n = flat.length / dim;
    const k = pooledRowCount(n, factor);
    const pooled = clusterMeans(flat, dim, wardClusters(await (await distances).condensed(flat, dim), n, k));
    port.postMessage({ id: msg.id, pooled } satisfies FromPoolThread, [pooled.buffer as ArrayBuffer]);
  } catch (err) {
    port.postMessage({ id: msg.id, message: (err as Error).message } satisfies FromPoolThread);
  }
});
