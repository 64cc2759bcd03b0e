// Main-memory bandwidth as one thread sees it, and the floor it puts under a
// lone query, which must stream every backbone weight from memory once:
//   npx tsx bench/memory-bandwidth.ts [--mib N] [--rounds N]
// Copies a buffer far larger than the caches (memcpy through TypedArray.set)
// and compares two equal ones (memcmp: a pure read of both); counts read +
// written bytes for the copy.
import { parseArgs } from 'node:util';
import { BGE_M3_FULL } from '../tools/fixtures/test-model/config.ts';
import { loadAverage } from './machine.ts';

/** Bytes of the encoder's weight matrices (Q, K, V, O, FFN in and out) of the full-size model, per byte per weight. */
export function encoderWeightCount(): number {
  const { hidden: h, intermediate: i, layers } = BGE_M3_FULL;
  return layers * (4 * h * h + 2 * h * i);
}

function main(): void {
  const { values } = parseArgs({ options: { mib: { type: 'string', default: '512' }, rounds: { type: 'string', default: '7' } } });
  const bytes = Number(values.mib) * 2 ** 20;
  const rounds = Number(values.rounds);
  console.log(`load average before: ${loadAverage()}`);
  const src = new Float64Array(bytes / 8).fill(1.5);
  const dst = new Float64Array(bytes / 8);
  dst.set(src);
  let copyBest = Infinity;
  let readBest = Infinity;
  let sink = 0;
  for (let r = 0; r < rounds; r++) {
    let t0 = performance.now();
    dst.set(src);
    copyBest = Math.min(copyBest, performance.now() - t0);
    t0 = performance.now();
    sink += Buffer.compare(Buffer.from(src.buffer), Buffer.from(dst.buffer)) === 0 ? 1 : 0;
    readBest = Math.min(readBest, performance.now() - t0);
  }
  const copyGBs = (2 * bytes) / copyBest / 1e6;
  const readGBs = (2 * bytes) / readBest / 1e6;
  const weights = encoderWeightCount();
  console.log(`copy ${values.mib} MiB: best ${copyBest.toFixed(1)} ms = ${copyGBs.toFixed(1)} GB/s (read + write)`);
  console.log(`read ${values.mib} MiB × 2 (memcmp): best ${readBest.toFixed(1)} ms = ${readGBs.toFixed(1)} GB/s`);
  const bw = Math.max(copyGBs, readGBs);
  for (const [name, perWeight] of [['fp32', 4], ['int8', 1]] as const) {
    const gb = (weights * perWeight) / 1e9;
    console.log(`${name}: encoder weights ${gb.toFixed(2)} GB → floor for a lone query ${((gb / bw) * 1000).toFixed(1)} ms at ${bw.toFixed(1)} GB/s`);
  }
  console.log(`load average after: ${loadAverage()} (${sink} of ${rounds} compares equal)`);
}

main();
