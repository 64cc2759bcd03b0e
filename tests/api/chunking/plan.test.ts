/**
 * The chunk planner (issue #19) on the tokenizer test corpus: every script, combining marks,
 * emoji, CJK without spaces, runs of white space, added tokens in the text. Oracles: the Rust
 * tokenizers library (npm `tokenizers`) for ids and offsets, and our own tokenizer run again on
 * each chunk's text for the property that a chunk's text gives exactly its tokens.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Tokenizer } from 'tokenizers';
import { planChunks } from '../../../src/api/chunking/plan.ts';
import { addOffsets, MAX_PIECE_UNITS, pieceCuts, streamTokens } from '../../../src/api/chunking/token-stream.ts';
import type { ChunkPlan } from '../../../src/api/chunking/types.ts';
import { BgeTokenizer } from '../../../src/engine/tokenizer/bge-tokenizer.ts';
import { TokenSpans } from '../../../src/engine/tokenizer/token-spans.ts';
import { seededRandom } from '../../../tools/fixtures/tokenizer/corpus.ts';
import { SCRIPT_SAMPLES } from '../../../tools/fixtures/tokenizer/corpus-sentences.ts';
import { TOKENIZER_JSON } from '../../helpers/tokenizer/fixture-paths.ts';
import { CURATED, generatedStrings, sentenceVariants } from '../../helpers/tokenizer/test-strings.ts';

const oracle = Tokenizer.fromFile(TOKENIZER_JSON);
const tokenizer = await BgeTokenizer.fromFile(TOKENIZER_JSON);
const spans = await TokenSpans.fromFile(TOKENIZER_JSON);
const tokenizers = { spans, tokenizer };
const random = seededRandom(19);
const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)];

/** A random document of one script: its sentences and words joined in random order, with white space runs. */
function scriptDocument(sample: (typeof SCRIPT_SAMPLES)[number]): string {
  const parts: string[] = [];
  const count = 3 + Math.floor(random() * 8);
  for (let i = 0; i < count; i++) {
    parts.push(random() < 0.6 ? pick(sample.sentences) : Array.from({ length: 1 + Math.floor(random() * 6) }, () => pick(sample.words)).join(sample.joiner));
  }
  return parts.map((p, i) => (i === 0 ? p : pick([' ', ' ', '\n', '  ', '\n\n', '\t', sample.joiner]) + p)).join('');
}

const SCRIPT_DOCS = SCRIPT_SAMPLES.flatMap((sample) => [0, 1, 2].map(() => ({ name: sample.name, text: scriptDocument(sample) })));
const ODD_TEXTS = [
  ...CURATED,
  ...generatedStrings(120, 23),
  ...sentenceVariants(
    SCRIPT_SAMPLES.flatMap((s) => s.sentences),
    120,
    29,
  ),
];

function contentIds(text: string): number[] {
  return tokenizer.encode(text, 1e9).ids.slice(1, -1);
}

function chunkText(text: string, c: ChunkPlan): string {
  return [...text].slice(c.start, c.end).join('');
}

/** The checks every plan must pass; returns the chunks. */
function checkPlan(text: string, chunkTokens: number, chunkOverlap: number): ChunkPlan[] {
  const where = `${JSON.stringify(text.slice(0, 60))} chunk_tokens ${chunkTokens} overlap ${chunkOverlap}`;
  const all = contentIds(text);
  const chunks = [...planChunks(text, { chunkTokens, chunkOverlap }, tokenizers)];
  const points = [...text].length;
  assert.equal(chunks[0].tokenStart, 0, where);
  assert.equal(chunks[0].start, 0, where);
  assert.equal(chunks.at(-1)!.tokenEnd, all.length, where);
  assert.equal(chunks.at(-1)!.end, points, where);
  chunks.forEach((c, i) => {
    assert.equal(c.index, i, where);
    assert.ok(c.tokenEnd - c.tokenStart <= chunkTokens, `${where}: chunk ${i} has ${c.tokenEnd - c.tokenStart} tokens`);
    assert.ok(c.tokenEnd > c.tokenStart || all.length === 0, where);
    assert.deepEqual(c.ids, [0, ...all.slice(c.tokenStart, c.tokenEnd), 2], `${where}: chunk ${i}'s ids are the text's`);
    assert.ok(c.start <= c.end, where);
    if (c.cut === 'word') assert.deepEqual(tokenizer.encode(chunkText(text, c), 1e9).ids, c.ids, `${where}: chunk ${i}'s text gives its ids`);
    if (i === 0) return;
    const previous = chunks[i - 1];
    // In order, no gap, and the overlap as asked: at most chunkOverlap tokens, and no later word start could have kept it.
    assert.ok(c.tokenStart > previous.tokenStart && c.tokenStart <= previous.tokenEnd, `${where}: chunk ${i} starts inside or right after ${i - 1}`);
    assert.ok(c.start >= previous.start && c.start <= previous.end && c.end >= previous.end, `${where}: spans in order`);
    const shared = previous.tokenEnd - c.tokenStart;
    assert.ok(shared <= chunkOverlap, `${where}: chunks ${i - 1} and ${i} share ${shared} tokens`);
    if (shared === 0) assert.equal(c.start, previous.end, `${where}: a chunk that starts where the last ended starts at the same character`);
  });
  return chunks;
}

test('random documents of every script, random chunk_tokens and chunk_overlap: coverage, order, overlap, and each word-cut chunk tokenizes back to its ids', () => {
  let words = 0;
  for (const { text } of SCRIPT_DOCS) {
    for (let trial = 0; trial < 4; trial++) {
      const chunkTokens = 1 + Math.floor(random() * 40);
      const chunkOverlap = Math.floor(random() * chunkTokens);
      words += checkPlan(text, chunkTokens, chunkOverlap).filter((c) => c.cut === 'word').length;
    }
  }
  assert.ok(words > 500, `most chunks end at words (${words})`);
});

test('odd texts (controls, marks, emoji, flags, added tokens, lone surrogates, white space runs) keep the same properties', () => {
  for (const text of ODD_TEXTS)
    for (const [t, o] of [
      [1, 0],
      [3, 2],
      [5, 1],
      [12, 4],
    ])
      checkPlan(text, t, o);
});

test('in prose with spaces a chunk that starts at a word and has a word start in its window is cut at a word, the last one that fits', () => {
  // A word start here: a token that starts a word right at a space after a letter, digit or punctuation mark.
  let cuts = 0;
  for (const sample of SCRIPT_SAMPLES.filter((s) => s.joiner === ' ')) {
    const text = sample.sentences.join(' ');
    const chunks = checkPlan(text, 24, 6);
    const tokens = spans.encode(text, false);
    const plain = (i: number) =>
      i === 0 ||
      i === tokens.length ||
      (spans.startsWord(tokens[i].id) && text[tokens[i].start!] === ' ' && /[\p{L}\p{N}\p{P}]/u.test(text[tokens[i].start! - 1]));
    for (const c of chunks) {
      const window = Array.from({ length: 24 }, (_, k) => c.tokenStart + 1 + k).filter((i) => i <= tokens.length);
      if (!(plain(c.tokenStart) && window.some(plain))) continue;
      cuts++;
      assert.equal(c.cut, 'word', `${sample.name} chunk ${c.index}`);
      if (c.tokenEnd === tokens.length) continue;
      for (let i = c.tokenEnd + 1; i <= c.tokenStart + 24; i++) assert.ok(!plain(i), `${sample.name}: a later word start (${i}) fits chunk ${c.index}`);
    }
  }
  assert.ok(cuts > 100, `${cuts} chunks checked`);
});

test('a text with no word boundary for a whole window is cut between tokens and says so', () => {
  const text = '東京大学中国學習ひらがなカタカナ'.repeat(20);
  const chunks = checkPlan(text, 10, 3);
  assert.ok(chunks.length > 5);
  for (const c of chunks.slice(0, -1)) {
    assert.equal(c.cut, 'token');
    assert.equal(c.tokenEnd - c.tokenStart, 10, 'a token cut fills the window');
  }
  for (const c of chunks.slice(1)) assert.equal(chunks[c.index - 1].tokenEnd - c.tokenStart, 3, 'and overlaps by exactly chunk_overlap');
});

test('read a piece at a time, the ids are the Rust library ids of the whole text, each piece starts where its first token does, and its offsets are the whole text ones', async () => {
  const texts = [...SCRIPT_DOCS.map((d) => d.text), ...ODD_TEXTS.slice(0, 150)];
  let pieces = 0;
  for (const text of texts) {
    const encoding = await oracle.encode(text, null, { addSpecialTokens: false });
    const units: number[] = [];
    let point = 0;
    for (const char of text.replace(/\p{Cs}/gu, '\uFFFD')) {
      for (let i = 0; i < char.length; i++) units.push(point);
      point++;
    }
    units.push(point);
    const blocks = [...streamTokens(tokenizers, text)];
    for (const block of blocks) if (block.length) addOffsets(spans, text, block, false);
    const ours = blocks.flat();
    const offsets = encoding.getOffsets();
    const where = JSON.stringify(text.slice(0, 60));
    assert.deepEqual(
      ours.map((t) => t.id),
      encoding.getIds(),
      where,
    );
    assert.deepEqual(
      ours.map((t) => [units[t.start!], units[t.stop!]]),
      offsets,
      where,
    );
    ours.forEach((t, i) => {
      if (t.cutAt === undefined || i === 0) return;
      pieces++;
      // At the start of the white space its first token's offsets begin in (a run of spaces collapses to the last one).
      assert.ok(t.cutAt <= t.start! && /^\s*$/u.test(text.slice(t.cutAt, t.start)), `${where}: piece at token ${i}`);
      assert.ok(/^[ \n]$/.test(text[t.cutAt]), `${where}: a piece starts at a space or newline`);
    });
  }
  assert.ok(pieces > 1000, `${pieces} pieces`);
});

test('chunk spans lie between the Rust offsets of the tokens on either side of each cut', async () => {
  for (const { text } of SCRIPT_DOCS) {
    const encoding = await oracle.encode(text, null, { addSpecialTokens: false });
    const offsets = encoding.getOffsets();
    for (const c of planChunks(text, { chunkTokens: 9, chunkOverlap: 2 }, tokenizers)) {
      if (c.tokenStart === 0) continue;
      assert.ok(offsets[c.tokenStart - 1][1] <= c.start && c.start <= offsets[c.tokenStart][0], `${JSON.stringify(text.slice(0, 40))} chunk ${c.index}`);
    }
  }
});

test('planChunks refuses a window or overlap it cannot honour', () => {
  assert.throws(() => [...planChunks('x', { chunkTokens: 0, chunkOverlap: 0 }, tokenizers)], RangeError);
  assert.throws(() => [...planChunks('x', { chunkTokens: 4, chunkOverlap: 4 }, tokenizers)], RangeError);
});

test('a long run without any space is cut into bounded pieces, and its chunks keep every property', () => {
  const text = '東京大学中国學習ひらがなカタカナ'.repeat(5000); // 80,000 units, several times MAX_PIECE_UNITS
  const forced = [...pieceCuts(tokenizer, text)];
  assert.ok(forced.length >= 1 && forced.every((c) => c.restart && c.at <= MAX_PIECE_UNITS * (forced.indexOf(c) + 1) + 1));
  const chunks = [...planChunks(text, { chunkTokens: 300, chunkOverlap: 20 }, tokenizers)];
  assert.equal(chunks.at(-1)!.end, [...text].length);
  for (const c of chunks) if (c.cut === 'word') assert.deepEqual(tokenizer.encode(chunkText(text, c), 1e9).ids, c.ids);
});

test('plans made at the same time, their steps interleaved (concurrent predictions), equal plans made one at a time', () => {
  const texts = SCRIPT_DOCS.slice(0, 12).map((d) => d.text);
  const alone = texts.map((text) => [...planChunks(text, { chunkTokens: 7, chunkOverlap: 2 }, tokenizers)]);
  const generators = texts.map((text) => planChunks(text, { chunkTokens: 7, chunkOverlap: 2 }, tokenizers));
  const together: ChunkPlan[][] = texts.map(() => []);
  for (let live = true; live; ) {
    live = false;
    generators.forEach((g, i) => {
      const step = g.next();
      if (!step.done) {
        together[i].push(step.value);
        live = true;
      }
    });
  }
  assert.deepEqual(together, alone);
});
