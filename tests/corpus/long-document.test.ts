// `cli.ts embed --chunk-tokens N --colbert` on a document far longer than one prediction can
// return (its chunks' ColBERT rows pass MAX_COLBERT_VECTORS): the job writes every chunk once,
// in order, spans covering the text, with the outputs /predictions gives. Oracles:
//   - plain chunks: the Predictor on each chunk's own text, unchunked (a word-cut chunk's text
//     tokenizes to exactly its ids, so its outputs must be exactly those);
//   - contextual chunks: dense and sparse from /predictions' own chunks of the whole document with
//     return_colbert off (no cap then), and ColBERT by construction: each window (consecutive
//     chunks whose tokens and <s> </s> fit --max-length, taken greedily from the start, as the
//     README states) run unchunked as its own text, each chunk's rows the window's rows at its
//     tokens, the document's </s> row for its last chunk.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { parquetMetadata } from 'hyparquet';
import { readFileSync } from 'node:fs';
import { Predictor, type Output } from '../../predict.ts';
import { MAX_COLBERT_VECTORS } from '../../src/api/output.ts';
import { planChunks } from '../../src/api/chunking/plan.ts';
import { BgeTokenizer } from '../../src/engine/tokenizer/bge-tokenizer.ts';
import { TokenSpans } from '../../src/engine/tokenizer/token-spans.ts';
import { TOKENIZER_JSON } from '../helpers/tokenizer/fixture-paths.ts';
import { makeCorpus, maxDiff, readParquetParts, runJobInProcess, tempDir, toJsonl, type PartRow } from '../helpers/corpus.ts';
import { officialWeights } from '../helpers/server/real-model.ts';

/** Float rounding between batches of different shapes; see embed-cli.test.ts. */
const TOLERANCE = 1e-5;
const MAX_LENGTH = 256;
const CHUNK_TOKENS = 200;
const tokenizers = { tokenizer: await BgeTokenizer.fromFile(TOKENIZER_JSON), spans: await TokenSpans.fromFile(TOKENIZER_JSON) };

type ChunkRow = PartRow & { chunk_index: number; chunk_start: number; chunk_end: number };

const LONG = makeCorpus(500, 11, 80)
  .map((r) => r.text)
  .join(' ');
const corpus = [
  { id: 'before', text: 'a short document ahead of the long one' },
  { id: 'long', text: LONG },
  { id: 'after', text: makeCorpus(1, 3, 40)[0].text },
];

describe('cli.ts embed --chunk-tokens --colbert on a document of any length', () => {
  const p = new Predictor();
  let weights: string;
  let input: string;

  before(async () => {
    weights = await officialWeights();
    await p.setup({ weights, log: () => {} });
    input = path.join(tempDir('long-doc'), 'in.jsonl');
    writeFileSync(input, toJsonl(corpus));
  });
  after(() => p.close());

  /** The job's rows of each document, and how many row groups its parts hold. */
  async function job(overlap: number, context?: 'document'): Promise<{ byId: Map<string, ChunkRow[]>; rowGroups: number[] }> {
    const output = tempDir('long-doc-out');
    const chunk = context ? { tokens: CHUNK_TOKENS, overlap, context } : { tokens: CHUNK_TOKENS, overlap };
    await runJobInProcess(p, { input, output, weights, colbert: true, maxLength: MAX_LENGTH, chunk, partRows: 50 });
    const parts = readParquetParts(output);
    const byId = new Map<string, ChunkRow[]>();
    for (const part of parts) for (const row of part.rows as ChunkRow[]) byId.set(row.id, [...(byId.get(row.id) ?? []), row]);
    const rowGroups = parts.map((x) => parquetMetadata(toArrayBuffer(readFileSync(path.join(output, x.file)))).row_groups.length);
    return { byId, rowGroups };
  }

  /** The planner's chunks of a document (spans, tokens), checked to be whole words so their texts are oracles. */
  function plansOf(text: string, overlap: number) {
    const plans = [...planChunks(text, { chunkTokens: CHUNK_TOKENS, chunkOverlap: overlap }, tokenizers)];
    assert.ok(
      plans.every((c) => c.cut === 'word'),
      'every chunk starts and ends at a word start',
    );
    return plans;
  }

  /** Every document once, its chunks 0..n-1 in order, their spans covering its text. */
  function checkCover(rows: ChunkRow[], text: string, overlap: number): void {
    assert.deepEqual(
      rows.map((r) => r.chunk_index),
      rows.map((_, i) => i),
      'each chunk once, in order',
    );
    const length = [...text].length;
    assert.equal(rows[0].chunk_start, 0);
    assert.equal(rows.at(-1)!.chunk_end, length);
    for (let i = 1; i < rows.length; i++) {
      if (overlap === 0) assert.equal(rows[i].chunk_start, rows[i - 1].chunk_end, `chunk ${i} starts where ${i - 1} ends`);
      else assert.ok(rows[i - 1].chunk_start < rows[i].chunk_start && rows[i].chunk_start <= rows[i - 1].chunk_end, `chunk ${i} overlaps ${i - 1}`);
    }
  }

  for (const overlap of [0, 24]) {
    test(`--chunk-context none, --chunk-overlap ${overlap}: every chunk's row is the Predictor on that chunk's own text`, async () => {
      const { byId, rowGroups } = await job(overlap);
      const rows = byId.get('long')!;
      const colbertRows = rows.reduce((n, r) => n + r.colbert!.length, 0);
      assert.ok(colbertRows > 1.2 * MAX_COLBERT_VECTORS, `the document's chunks hold ${colbertRows} ColBERT rows, more than one prediction can`);
      assert.ok(
        rowGroups.some((n) => n > 1),
        `the long document's part is written in several row groups (${rowGroups})`,
      );
      checkCover(rows, LONG, overlap);
      const plans = plansOf(LONG, overlap);
      assert.deepEqual(
        rows.map((r) => [r.chunk_start, r.chunk_end, r.token_count]),
        plans.map((c) => [c.start, c.end, c.ids.length]),
      );
      const texts = rows.map((r) => [...LONG].slice(r.chunk_start, r.chunk_end).join(''));
      for (let from = 0; from < rows.length; from += 40) {
        const want = asPairs(
          await p.predict({ texts: texts.slice(from, from + 40), max_length: MAX_LENGTH, return_colbert: true, sparse_format: 'indices_values' }),
        );
        want.token_counts.forEach((count, k) => {
          const r = rows[from + k];
          const what = `chunk ${r.chunk_index}`;
          assert.equal(r.token_count, count, what);
          assert.ok(maxDiff(r.dense!, want.dense_vecs![k]) <= TOLERANCE, `${what} dense`);
          const sparse = want.lexical_weights![k];
          assert.deepEqual(r.sparse_indices, sparse.indices, `${what} sparse ids`);
          assert.ok(maxDiff(r.sparse_values!, sparse.values) <= TOLERANCE, `${what} sparse values`);
          assert.equal(r.colbert!.length, want.colbert_vecs![k].length, `${what} colbert rows`);
          r.colbert!.forEach((v, j) => assert.ok(maxDiff(v, want.colbert_vecs![k][j]) <= TOLERANCE, `${what} colbert row ${j}`));
        });
      }
      await shortDocumentsAsPredicted(byId, {});
    });
  }

  test("--chunk-context document: dense and sparse are /predictions' chunks, ColBERT rows each window's own rows at the chunk's tokens", async () => {
    const overlap = 24;
    const { byId } = await job(overlap, 'document');
    const rows = byId.get('long')!;
    checkCover(rows, LONG, overlap);
    const plans = plansOf(LONG, overlap);
    const want = asPairs(
      await p.predict({
        texts: [LONG],
        max_length: MAX_LENGTH,
        chunk_tokens: CHUNK_TOKENS,
        chunk_overlap: overlap,
        chunk_context: 'document',
        sparse_format: 'indices_values',
      }),
    );
    assert.equal(rows.length, want.chunks!.length);
    rows.forEach((r, i) => {
      const c = want.chunks![i];
      assert.deepEqual([r.chunk_start, r.chunk_end, r.token_count], [c.start, c.end, c.token_count], `chunk ${i}`);
      assert.ok(maxDiff(r.dense!, c.dense_vec!) <= TOLERANCE, `chunk ${i} dense`);
      const sparse = c.lexical_weights!;
      assert.deepEqual(r.sparse_indices, sparse.indices, `chunk ${i} sparse ids`);
      assert.ok(maxDiff(r.sparse_values!, sparse.values) <= TOLERANCE, `chunk ${i} sparse values`);
    });
    // Windows by the rule: consecutive chunks while their tokens, <s> and </s> fit max_length.
    const windows: (typeof plans)[] = [];
    for (const plan of plans) {
      const w = windows.at(-1);
      if (w && Math.max(w.at(-1)!.tokenEnd, plan.tokenEnd) - w[0].tokenStart + 2 <= MAX_LENGTH) w.push(plan);
      else windows.push([plan]);
    }
    assert.ok(windows.length > 10, `${windows.length} windows`);
    const chars = [...LONG];
    for (const [k, w] of windows.entries()) {
      const start = w[0].tokenStart;
      const end = w.at(-1)!.tokenEnd;
      const text = chars.slice(w[0].start, w.at(-1)!.end).join('');
      const alone = asPairs(await p.predict({ texts: [text], max_length: MAX_LENGTH, return_dense: false, return_sparse: false, return_colbert: true }));
      assert.equal(alone.token_counts[0], end - start + 2, `window ${k}'s text tokenizes to its tokens`);
      const windowRows = alone.colbert_vecs![0]; // its content tokens', then its </s>'s
      for (const plan of w) {
        const r = rows[plan.index];
        const last = k === windows.length - 1 && plan === w.at(-1);
        const expected = windowRows.slice(plan.tokenStart - start, plan.tokenEnd - start + (last ? 1 : 0));
        assert.equal(r.colbert!.length, expected.length, `chunk ${plan.index} colbert rows`);
        r.colbert!.forEach((v, j) => assert.ok(maxDiff(v, expected[j]) <= TOLERANCE, `chunk ${plan.index} colbert row ${j}`));
      }
    }
    await shortDocumentsAsPredicted(byId, { chunk_context: 'document', chunk_overlap: overlap });
  });

  /** The short documents around the long one: /predictions' chunks of each, as the job wrote them before. */
  async function shortDocumentsAsPredicted(byId: Map<string, ChunkRow[]>, chunking: Record<string, unknown>): Promise<void> {
    for (const doc of [corpus[0], corpus[2]]) {
      const out = asPairs(
        await p.predict({
          texts: [doc.text],
          max_length: MAX_LENGTH,
          chunk_tokens: CHUNK_TOKENS,
          return_colbert: true,
          sparse_format: 'indices_values',
          ...chunking,
        }),
      );
      const rows = byId.get(doc.id)!;
      assert.equal(rows.length, out.chunks!.length, doc.id);
      rows.forEach((r, i) => {
        const c = out.chunks![i];
        assert.deepEqual([r.chunk_index, r.chunk_start, r.chunk_end, r.token_count], [c.chunk_index, c.start, c.end, c.token_count], doc.id);
        assert.ok(maxDiff(r.dense!, c.dense_vec!) <= TOLERANCE, `${doc.id} dense`);
        assert.ok(maxDiff(r.colbert!.flat(), c.colbert_vecs!.flat()) <= TOLERANCE, `${doc.id} colbert`);
      });
    }
  }
});

/** An Output asked with sparse_format "indices_values" and float vectors, typed as such. */
type PairsOutput = Omit<Output, 'dense_vecs' | 'colbert_vecs' | 'lexical_weights' | 'chunks'> & {
  dense_vecs?: number[][];
  colbert_vecs?: number[][][];
  lexical_weights?: { indices: number[]; values: number[] }[];
  chunks?: (NonNullable<Output['chunks']>[number] & {
    dense_vec?: number[];
    colbert_vecs?: number[][];
    lexical_weights?: { indices: number[]; values: number[] };
  })[];
};

function asPairs(out: Output): PairsOutput {
  return out as unknown as PairsOutput;
}

function toArrayBuffer(b: Buffer): ArrayBuffer {
  return b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer;
}
