// int8 against fp32 on the same texts, for each int8 variant of the study:
//   npx tsx bench/int8-fidelity.ts [--weights DIR] [--variants a,b] [--per-language N]
// Default model: the full-size generated one (bench/model-cache.ts). Texts:
// short queries, passages and one long document in each script of the test
// corpus (tools/fidelity/precision-fidelity.ts); score agreement ranks the
// passages for every query by hybrid score. fp32 runs once; each variant is
// cached under .cache/bench/int8-variants/<variant>.
//
// Generated weights are seeded random numbers, not trained ones: a trained
// model's activations have outlier channels that random weights lack, so these
// deviations are a lower bound; `npm run verify -- --precision int8` measures
// the same on the real model.
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Predictor, type SetupOptions } from '../predict.ts';
import { compareOutputs, embedEach, fidelityTexts, formatFidelity, hybridMatrix, scoreAgreement, type Outputs } from '../tools/fidelity/precision-fidelity.ts';
import { loadAverage } from './machine.ts';
import { VARIANTS } from './int8-fidelity-variants.ts';
import { BENCH_CACHE, ensureFullModel } from './model-cache.ts';

async function embed(weights: string, session: SetupOptions, texts: string[]): Promise<Outputs> {
  const p = new Predictor();
  await p.setup({ ...session, weights, log: () => {} });
  try {
    return await embedEach(p, texts);
  } finally {
    await p.close();
  }
}

function pick(o: Outputs, idx: number[]): Outputs {
  return {
    dense_vecs: idx.map((i) => o.dense_vecs![i]),
    lexical_weights: idx.map((i) => o.lexical_weights![i]),
    colbert_vecs: idx.map((i) => o.colbert_vecs![i]),
  };
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { weights: { type: 'string' }, variants: { type: 'string' }, 'per-language': { type: 'string', default: '2' } } });
  const weights = values.weights ? path.resolve(values.weights) : ensureFullModel(console.log);
  const names = values.variants?.split(',') ?? Object.keys(VARIANTS);
  const texts = fidelityTexts(Number(values['per-language']));
  const idx = (kind: string) => texts.flatMap((t, i) => (t.kind === kind ? [i] : []));
  const [queries, passages] = [idx('query'), idx('passage')];
  console.log(
    `load average before: ${loadAverage()}; ${texts.length} texts (${queries.length} queries, ${passages.length} passages, ${idx('long').length} long)`,
  );
  const t0 = performance.now();
  const fp32 = await embed(
    weights,
    { precision: 'fp32' },
    texts.map((t) => t.text),
  );
  console.log(`fp32 embedded in ${((performance.now() - t0) / 1000).toFixed(0)} s`);
  const fp32Scores = hybridMatrix(pick(fp32, queries), pick(fp32, passages));
  for (const name of names) {
    const quantize = VARIANTS[name];
    if (!quantize) throw new Error(`unknown variant "${name}"; choose from ${Object.keys(VARIANTS).join(', ')}`);
    const int8CacheRoot = path.join(BENCH_CACHE, 'int8-variants', name.replaceAll(' ', '-'));
    const int8 = await embed(
      weights,
      { precision: 'int8', session: { quantize, int8CacheRoot } },
      texts.map((t) => t.text),
    );
    const agreement = scoreAgreement(fp32Scores, hybridMatrix(pick(int8, queries), pick(int8, passages)));
    console.log(`\n### ${name} (load ${loadAverage()})`);
    for (const kind of ['query', 'passage', 'long']) {
      const d = compareOutputs(pick(fp32, idx(kind)), pick(int8, idx(kind))).denseCosine;
      console.log(`- dense cosine, ${kind}: min ${d.min.toFixed(5)}, mean ${d.mean.toFixed(5)}`);
    }
    for (const line of formatFidelity(compareOutputs(fp32, int8), agreement)) console.log(`- ${line}`);
  }
}

await main();
