// Runs tests/helpers/scipy/ward-oracle.py (SciPy's Ward linkage + fcluster
// maxclust) and returns each case's partition as sorted lists of row indices,
// comparable with src/api/colbert-pooling.ts's clusters whatever the labels.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const PYTHON = '/usr/bin/python3';

export type WardCase = { rows: number[][]; k: number } | { condensed: number[]; n: number; k: number };

const scipyMissing = spawnSync(PYTHON, ['-c', 'import scipy.cluster.hierarchy, numpy'], { stdio: 'ignore' }).status !== 0;
export const skipScipy = scipyMissing ? `SciPy not available (${PYTHON} -c 'import scipy' failed; apt-get install python3-scipy python3-numpy)` : false;

export function scipyPartitions(cases: WardCase[]): number[][][] {
  const script = fileURLToPath(new URL('./ward-oracle.py', import.meta.url));
  const run = spawnSync(PYTHON, [script], { input: JSON.stringify(cases), encoding: 'utf8', maxBuffer: 1 << 28 });
  if (run.status !== 0) throw new Error(`ward-oracle.py failed:\n${run.stderr}`);
  return (JSON.parse(run.stdout) as number[][]).map(partitionOfLabels);
}

/** Labels per row → clusters of row indices, each ascending, ordered by first row. */
export function partitionOfLabels(labels: number[]): number[][] {
  const byLabel = new Map<number, number[]>();
  labels.forEach((l, i) => {
    const rows = byLabel.get(l);
    if (rows) rows.push(i);
    else byLabel.set(l, [i]);
  });
  return [...byLabel.values()];
}
