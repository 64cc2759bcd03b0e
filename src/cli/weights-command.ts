// The `weights` command: `npm run weights [-- --dir DIR] [--revision REV]`.
// cli.ts delegates to runWeightsCommand(); the Dockerfile's weights stage runs
// this file directly, so it may import only src/engine/weights/*, the progress
// drawing beside it, src/setting-kinds.ts and npm packages: the stage copies
// nothing else (tests/packaging/dockerfile-stages.test.ts runs it from exactly
// those files, tests/architecture/layers.test.ts checks the imports).
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { downloadWeights, DEFAULT_WEIGHTS_DIR } from '../engine/weights/download.ts';
import { WeightsError, formatBytes } from '../engine/weights/errors.ts';
import { PINNED_REVISION, REPO_ID } from '../engine/weights/manifest.ts';
import { ProgressBar } from './weights-progress.ts';
import type { Env } from '../setting-kinds.ts';

const HELP = `Usage: npm run weights -- [--dir DIR] [--revision REV] [--quiet]

Downloads ${REPO_ID} (ONNX export, tokenizer, sparse and ColBERT heads) into DIR
(default ./weights), resuming partial downloads and verifying every file.

  --dir DIR        target directory (default: ${path.relative(process.cwd(), DEFAULT_WEIGHTS_DIR) || '.'})
  --revision REV   repo revision (default: BGE_M3_REVISION, else ${PINNED_REVISION})
  --quiet          no progress output

Environment: HF_ENDPOINT (Hub mirror), HF_TOKEN (access token),
BGE_M3_WEIGHTS (use that directory as is; download nothing), HF_HUB_OFFLINE=1.`;

export async function runWeightsCommand(argv: string[], env?: Env): Promise<number> {
  let args;
  try {
    args = parseArgs({
      args: argv,
      options: { dir: { type: 'string' }, revision: { type: 'string' }, quiet: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
    }).values;
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n\n${HELP}\n`);
    return 2;
  }
  if (args.help) {
    process.stdout.write(HELP + '\n');
    return 0;
  }
  const bar = args.quiet ? undefined : new ProgressBar();
  const log = bar?.log ?? (() => {});
  try {
    const result = await downloadWeights({ dir: args.dir, revision: args.revision, env, onProgress: bar?.update, log });
    bar?.finish();
    const total = result.files.reduce((s, f) => s + f.bytes, 0);
    log(
      result.source === 'local'
        ? `Weights: ${result.dir} (used as is)`
        : `Weights ready in ${result.dir}: ${result.files.length} files, ${formatBytes(total)}, ${result.repo}@${result.commit ?? result.revision}`,
    );
    return 0;
  } catch (err) {
    bar?.finish();
    process.stderr.write(`${err instanceof WeightsError ? err.message : ((err as Error).stack ?? String(err))}\n`);
    return 1;
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  process.exitCode = await runWeightsCommand(process.argv.slice(2));
}
