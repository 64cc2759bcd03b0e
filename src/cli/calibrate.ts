// `cli.ts calibrate`: makes (or finds cached) the int8/uint8 calibration of the
// weights, from the user's own texts (--input FILE: one text a line, or JSONL
// with a `text` field) or the bundled multilingual set, and makes it the one
// the server serves at GET /calibration and quantizes with.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Predictor, type CalibrationSet } from '../../predict.ts';
import { parseCalibrationTexts } from '../api/calibration.ts';
import { BUNDLED_CALIBRATION_TEXTS, BUNDLED_SET_NAME } from '../api/calibration-set.ts';
import { parsePrecision } from '../engine/onnx/precision.ts';

export const CALIBRATE_HELP = `Usage: npx tsx cli.ts calibrate [--input FILE] [--weights DIR] [--precision fp32|int8]

Computes each dimension's min and max over a set of texts, for vector_type int8
and uint8, and caches them beside the weights (bge-m3-calibration.json). Without
--input, the bundled multilingual set. Prints {hash, set}.`;

export async function runCalibrateCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: { input: { type: 'string' }, weights: { type: 'string' }, precision: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
  });
  if (values.help) {
    process.stdout.write(`${CALIBRATE_HELP}\n`);
    return 0;
  }
  const precision = parsePrecision(values.precision, '--precision');
  let set: CalibrationSet = { name: BUNDLED_SET_NAME, texts: BUNDLED_CALIBRATION_TEXTS };
  if (values.input !== undefined) {
    try {
      set = { name: path.basename(values.input), texts: parseCalibrationTexts(readFileSync(values.input, 'utf8'), values.input) };
    } catch (err) {
      process.stderr.write(`Error: --input ${values.input}: ${(err as Error).message}\n`);
      return 2;
    }
  }
  const log = (line: string) => process.stderr.write(`${line}\n`);
  const predictor = new Predictor({ precision });
  await predictor.setup({ weights: values.weights, log });
  try {
    const cal = await predictor.calibration(set, { log });
    process.stdout.write(`${JSON.stringify({ hash: cal.hash, set: cal.set })}\n`);
    return 0;
  } finally {
    await predictor.close();
  }
}
