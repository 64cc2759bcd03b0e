// The command line, in the spirit of `cog predict`:
//   npx tsx cli.ts predict -i texts='["hello"]' -i return_colbert=true
//   npx tsx cli.ts serve          (npm start: downloads the weights on first start)
//   npx tsx cli.ts weights        (npm run weights)
//   npx tsx cli.ts demo           (npm run demo: a small random-weight model, no download)
//   npx tsx cli.ts embed --input corpus.jsonl --output out/   (npm run embed --: the corpus job)
//   npx tsx cli.ts calibrate [--input texts.txt]   (vector_type int8/uint8 ranges)
import { readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { Predictor, namedWeightsDir } from './predict.ts';
import { parseInputArgs } from './src/cli/input-args.ts';
import { runEmbedCommand } from './src/cli/embed.ts';
import { runCalibrateCommand } from './src/cli/calibrate.ts';
import { runWeightsCommand } from './src/cli/weights-command.ts';
import { withWeightsDownload } from './src/cli/weights-on-first-start.ts';
import { InputValidationError } from './src/api/errors.ts';
import { parsePrecision } from './src/engine/onnx/precision.ts';
import { DEFAULT_WEIGHTS_DIR } from './src/engine/weights/download.ts';
import { serveUntilShutdown } from './src/server/main.ts';

const HELP = `Usage: npx tsx cli.ts <command> [options]

Commands:
  predict -i key=value ...   Run one prediction and print its output as JSON.
          [--json @file.json | --json @- | --json '{...}']  the whole input as JSON instead of -i
          [--weights DIR]    weights directory (default BGE_M3_WEIGHTS, COG_WEIGHTS, ./weights)
          [--precision fp32|int8]  int8: dynamically quantized weight products (default
                             BGE_M3_PRECISION, else fp32); also on serve and demo
          [-o FILE]          write the output to FILE instead of stdout
  serve   [--port N] [--weights DIR] [--precision fp32|int8]
                             Start the Cog HTTP server (default port: PORT or 5000). Without
                             BGE_M3_WEIGHTS and with ./weights empty, downloads BAAI/bge-m3 first.
  weights [--dir DIR] [--revision REV] [--quiet]
                             Download the pinned BAAI/bge-m3 files (resumable, verified).
  demo    [--port N] [--precision fp32|int8]
                             Start the server on a small random-weight model: try the API
                             without downloading anything (outputs are meaningless).
  embed   --input PATH --output DIR [--shard I/N] ...
                             Embed a JSONL, CSV or Parquet corpus into Parquet parts, resumably
                             (see embed --help).
  calibrate [--input FILE] [--weights DIR] [--precision fp32|int8]
                             Make the vector_type int8/uint8 ranges from FILE's texts (one a
                             line, or JSONL with "text"), else the bundled set; cached beside
                             the weights and served at GET /calibration.

Inputs (-i): texts, max_length, return_dense, return_sparse, return_colbert, query, score_weights.
Values are coerced as cog predict does: -i return_colbert=true -i max_length=512,
-i texts='["a","b"]' or repeat -i texts=a -i texts=b.`;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'predict':
      return predict(rest);
    case 'serve':
      return serve(rest, false);
    case 'demo':
      return serve(rest, true);
    case 'weights':
      return runWeightsCommand(rest);
    case 'embed':
      return runEmbedCommand(rest);
    case 'calibrate':
      return runCalibrateCommand(rest);
    case undefined:
    case '-h':
    case '--help':
    case 'help':
      console.log(HELP);
      return 0;
    default:
      console.error(`Unknown command "${command}".\n\n${HELP}`);
      return 2;
  }
}

async function predict(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      input: { type: 'string', short: 'i', multiple: true, default: [] },
      json: { type: 'string' },
      weights: { type: 'string' },
      output: { type: 'string', short: 'o' },
      precision: { type: 'string' },
    },
  });
  const precision = parsePrecision(values.precision, '--precision');
  const input = values.json !== undefined ? readJsonInput(values.json) : parseInputArgs(values.input!);
  const predictor = new Predictor();
  await predictor.setup({ weights: values.weights, precision, log: (line) => console.error(line) });
  try {
    const output = await predictor.predict(input, { log: (line) => console.error(line) });
    const text = JSON.stringify(output, null, 2) + '\n';
    if (values.output) {
      writeFileSync(values.output, text);
      console.error(`Wrote ${values.output}`);
    } else {
      process.stdout.write(text);
    }
    return 0;
  } catch (err) {
    if (!(err instanceof InputValidationError)) throw err;
    for (const issue of err.issues) console.error(`Invalid input: ${issue.message}`);
    return 2;
  } finally {
    await predictor.close();
  }
}

function readJsonInput(arg: string): unknown {
  const text = arg === '@-' ? readFileSync(0, 'utf8') : arg.startsWith('@') ? readFileSync(arg.slice(1), 'utf8') : arg;
  try {
    const parsed: unknown = JSON.parse(text);
    // Accept both the bare input and a prediction request {"input": {...}}.
    return parsed && typeof parsed === 'object' && 'input' in parsed ? (parsed as { input: unknown }).input : parsed;
  } catch (err) {
    throw new Error(`--json ${arg}: not valid JSON (${(err as Error).message})`);
  }
}

async function serve(argv: string[], demo: boolean): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { port: { type: 'string' }, weights: { type: 'string' }, precision: { type: 'string' } } });
  // --precision wins over BGE_M3_PRECISION, which the Predictor reads when it is not told.
  const precision = parsePrecision(values.precision, '--precision');
  const port = values.port !== undefined ? Number(values.port) : undefined;
  if (demo) {
    // Loaded only when asked for: the demo's model generator is development code.
    const { demoWeights, DEMO_BANNER } = await import('./src/cli/demo.ts');
    return serveUntilShutdown({ port, weights: await demoWeights(), banner: DEMO_BANNER, predictor: new Predictor({ precision }) });
  }
  const named = values.weights ?? namedWeightsDir();
  const weights = named ?? DEFAULT_WEIGHTS_DIR;
  const predictor = named === undefined ? withWeightsDownload(new Predictor({ precision }), weights) : new Predictor({ precision });
  return serveUntilShutdown({ port, weights, predictor });
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: Error) => {
    console.error(`Error: ${err.message}`);
    process.exitCode = 1;
  },
);
