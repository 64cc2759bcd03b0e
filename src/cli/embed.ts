// `cli.ts embed`: the corpus job, one shard per process.
import { Predictor, defaultWeightsDir } from '../../predict.ts';
import { EMBED_HELP, parseEmbedArgs } from '../corpus/args.ts';
import { CorpusError } from '../corpus/errors.ts';
import { runJob, type JobSummary } from '../corpus/job.ts';
import { shardName } from '../corpus/shard.ts';
import { JobStatusLine } from './job-progress.ts';
import type { Env } from '../settings.ts';

export async function runEmbedCommand(argv: string[], env?: Env): Promise<number> {
  let parsed;
  try {
    parsed = parseEmbedArgs(argv, env, defaultWeightsDir());
  } catch (err) {
    if (!(err instanceof CorpusError)) throw err;
    process.stderr.write(`Error: ${err.message}\n\nRun \`npx tsx cli.ts embed --help\` for the options.\n`);
    return 2;
  }
  if (parsed.help) {
    process.stdout.write(EMBED_HELP + '\n');
    return 0;
  }
  const { spec } = parsed;
  const label = `${shardName(spec.shard)}`;
  const progress = new JobStatusLine(label);
  const predictor = new Predictor();
  try {
    const summary = await runJob(spec, {
      progress,
      loadPredictor: async () => {
        await predictor.setup({ weights: spec.weights, precision: spec.precision, log: progress.log });
        return predictor;
      },
    });
    progress.finish();
    process.stderr.write(summaryLine(label, spec.output, summary) + '\n');
    return 0;
  } catch (err) {
    progress.finish();
    if (!(err instanceof CorpusError)) throw err;
    process.stderr.write(`Error: ${err.message}\n`);
    return 2;
  } finally {
    await predictor.close();
  }
}

function summaryLine(label: string, output: string, s: JobSummary): string {
  if (s.alreadyComplete) return `${label}: already complete in ${output} (${s.partsSkipped} parts); nothing to do. Pass --restart to embed again.`;
  const rate = s.seconds > 0 ? Math.round(s.tokens / s.seconds) : 0;
  const skipped = s.partsSkipped ? `, ${s.partsSkipped} complete part(s) kept from an earlier run` : '';
  return `${label}: done. ${s.rows} rows, ${s.tokens} tokens in ${s.seconds.toFixed(1)} s (${rate} tokens/s), ${s.partsWritten} part(s) written${skipped}, in ${output}`;
}
