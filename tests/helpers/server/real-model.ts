// The real Predictor on the generated tiny model, and an oracle for outputs:
// each text's dense vector computed alone by a separate Predictor instance.
import assert from 'node:assert/strict';
import { Predictor } from '../../../predict.ts';
import { asFloatOutput } from '../../../src/api/output-formats.ts';
import { ensureTestModels } from '../model/test-models.ts';

export async function officialWeights(): Promise<string> {
  return (await ensureTestModels()).dirs.official;
}

export class DenseOracle {
  private readonly cache = new Map<string, number[]>();
  private constructor(private readonly predictor: Predictor) {}

  static async create(): Promise<DenseOracle> {
    const p = new Predictor();
    await p.setup({ weights: await officialWeights(), log: () => {} });
    return new DenseOracle(p);
  }

  /** The text's dense vector from a prediction of that text alone. */
  async dense(text: string): Promise<number[]> {
    let v = this.cache.get(text);
    if (!v) {
      const out = asFloatOutput(await this.predictor.predict({ texts: [text], return_sparse: false }));
      v = out.dense_vecs![0];
      this.cache.set(text, v);
    }
    return v;
  }

  /** Asserts `vecs[i]` is the dense vector of `texts[i]` (to float tolerance: batches pad differently). */
  async assertDense(texts: string[], vecs: number[][], what: string): Promise<void> {
    assert.equal(vecs.length, texts.length, `${what}: one vector per text`);
    for (let i = 0; i < texts.length; i++) {
      const want = await this.dense(texts[i]);
      assert.equal(vecs[i].length, want.length, `${what}: dimension of text ${i}`);
      const worst = Math.max(...want.map((w, j) => Math.abs(w - vecs[i][j])));
      assert.ok(worst < 1e-4, `${what}: text ${i} (${JSON.stringify(texts[i])}) differs from its solo vector by ${worst}`);
    }
  }

  close(): Promise<void> {
    return this.predictor.close();
  }
}
