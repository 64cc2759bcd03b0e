// One system on one workload, in a process of its own so that its peak RSS is
// its own:  node --import tsx bench/child.ts '<ChildJob as JSON>'
// Prints one line: BENCH_RESULT <RunResult as JSON>.
import { readFileSync } from 'node:fs';
import { RESULT_PREFIX, type ChildJob, type RunResult, type WorkloadData } from './types.ts';
import { runCeiling } from './systems/ceiling.ts';
import { runHttp } from './systems/http.ts';
import { runPredictor } from './systems/predictor.ts';
import { runTransformersJs } from './systems/transformers-js.ts';

async function main(): Promise<void> {
  const job = JSON.parse(process.argv[2] ?? 'null') as ChildJob | null;
  if (!job) throw new Error("usage: bench/child.ts '<job JSON>' (bench/run.ts writes it)");
  const w = JSON.parse(readFileSync(job.workloadFile, 'utf8')) as WorkloadData;
  const result = await run(job, w);
  process.stdout.write(`${RESULT_PREFIX}${JSON.stringify(result)}\n`);
  process.exit(0);
}

function run(job: ChildJob, w: WorkloadData): Promise<RunResult> {
  switch (job.system) {
    case 'ceiling':
      return runCeiling(job, w);
    case 'predictor':
      return runPredictor(job, w, false);
    case 'predictor-int8':
      return runPredictor(job, w, false, 'int8');
    case 'naive':
      return runPredictor(job, w, true);
    case 'transformers-js':
      return runTransformersJs(job, w);
    case 'http':
      return runHttp(job, w);
  }
}

await main();
