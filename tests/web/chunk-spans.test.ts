// The Chunks view's pieces of a text (web/js/chunk-spans.js) on real chunk plans: the pieces
// give the text back, and each piece is held by exactly the chunks whose span covers it.
// Oracle: the planner's spans, checked character by character.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { planChunks } from '../../src/api/chunking/plan.ts';
import { BgeTokenizer } from '../../src/engine/tokenizer/bge-tokenizer.ts';
import { TokenSpans } from '../../src/engine/tokenizer/token-spans.ts';
import { SCRIPT_SAMPLES } from '../../tools/fixtures/tokenizer/corpus-sentences.ts';
import { TOKENIZER_JSON } from '../helpers/tokenizer/fixture-paths.ts';
import { loadChunkSpans } from '../helpers/web/web-modules.ts';

const { chunkSegments } = await loadChunkSpans();
const tokenizers = { tokenizer: await BgeTokenizer.fromFile(TOKENIZER_JSON), spans: await TokenSpans.fromFile(TOKENIZER_JSON) };

test('the pieces give the text back, each held by the chunks that cover it (overlaps by two)', () => {
  for (const sample of SCRIPT_SAMPLES) {
    const text = sample.sentences.join('\n');
    const chunks = [...planChunks(text, { chunkTokens: 20, chunkOverlap: 6 }, tokenizers)].map((c) => ({ chunk_index: c.index, start: c.start, end: c.end }));
    const pieces = chunkSegments(text, chunks);
    assert.equal(pieces.map((p) => p.text).join(''), text, sample.name);
    let at = 0;
    for (const piece of pieces) {
      const length = [...piece.text].length;
      assert.ok(length > 0);
      for (let i = at; i < at + length; i++) {
        assert.deepEqual(
          piece.chunks,
          chunks.filter((c) => c.start <= i && i < c.end).map((c) => c.chunk_index),
          `${sample.name} code point ${i}`,
        );
      }
      at += length;
    }
    if (sample.joiner === ' ')
      assert.ok(
        pieces.some((p) => p.chunks.length === 2),
        `${sample.name}: neighbours overlap`,
      );
  }
});
