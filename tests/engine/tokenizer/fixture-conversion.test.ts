/**
 * The fixture generator: the protobuf reader, the .model parser (against sentencepiece's own
 * `spm_export_vocab`), and the XLM-R conversion (the committed tokenizer.json must be exactly
 * what the converter makes of the committed spm.model).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { buildCorpus } from '../../../tools/fixtures/tokenizer/corpus.ts';
import { readFields, WireType } from '../../../tools/fixtures/tokenizer/protobuf-wire.ts';
import { parseSentencePieceModel, PieceType, type SentencePieceModel } from '../../../tools/fixtures/tokenizer/sentencepiece-model.ts';
import { toXlmRobertaTokenizerJson } from '../../../tools/fixtures/tokenizer/xlmr-tokenizer-json.ts';
import { SPM_MODEL, TOKENIZER_JSON } from '../../helpers/tokenizer/fixture-paths.ts';

const model = parseSentencePieceModel(readFileSync(SPM_MODEL));
const committedJson = JSON.parse(readFileSync(TOKENIZER_JSON, 'utf8'));

test('protobuf reader: varints, fixed32 floats, nested messages, truncation', () => {
  const float = Buffer.alloc(4);
  float.writeFloatLE(-2.5);
  // field 1 varint 300 (0xac 0x02), field 2 fixed32 -2.5, field 3 bytes "hi"
  const message = Uint8Array.from([0x08, 0xac, 0x02, 0x15, ...float, 0x1a, 0x02, 0x68, 0x69]);
  const fields = readFields(message);
  assert.deepEqual(
    fields.map((f) => [f.fieldNumber, f.wireType]),
    [
      [1, WireType.Varint],
      [2, WireType.Fixed32],
      [3, WireType.LengthDelimited],
    ],
  );
  assert.equal(fields[0].varint, 300);
  assert.equal(fields[1].float32, -2.5);
  assert.equal(Buffer.from(fields[2].bytes!).toString(), 'hi');
  assert.throws(() => readFields(Uint8Array.from([0x1a, 0x05, 0x68])), /truncated message/);
  assert.throws(() => readFields(Uint8Array.from([0x0b])), /unsupported wire type 3/);
});

test('parsed pieces and scores equal spm_export_vocab', {
  skip: spawnSync('spm_export_vocab', ['--help']).error ? 'spm_export_vocab not installed (Debian package sentencepiece)' : false,
}, () => {
  const result = spawnSync('spm_export_vocab', [`--model=${SPM_MODEL}`], { encoding: 'utf8' });
  const rows = result.stdout
    .trimEnd()
    .split('\n')
    .map((line) => line.split('\t'));
  assert.equal(model.pieces.length, rows.length);
  model.pieces.forEach((piece, i) => {
    assert.equal(piece.piece, rows[i][0]);
    // spm_export_vocab prints about six significant digits.
    assert.ok(Math.abs(piece.score - Number(rows[i][1])) <= 1e-5 * Math.max(1, Math.abs(piece.score)), `score of ${piece.piece}`);
  });
  assert.equal(model.normalizer.name, 'nmt_nfkc');
  assert.ok(model.normalizer.precompiledCharsmap.length > 1000);
});

test('the committed tokenizer.json is the conversion of the committed spm.model', () => {
  assert.deepEqual(toXlmRobertaTokenizerJson(model), committedJson);
});

test('XLM-R id layout: <s> <pad> </s> <unk>, piece i at i + 1, <mask> last', () => {
  const vocab: [string, number][] = committedJson.model.vocab;
  assert.deepEqual(vocab.slice(0, 4), [
    ['<s>', 0],
    ['<pad>', 0],
    ['</s>', 0],
    ['<unk>', 0],
  ]);
  for (let i = 3; i < model.pieces.length; i++) assert.equal(vocab[i + 1][0], model.pieces[i].piece);
  assert.deepEqual(vocab.at(-1), ['<mask>', 0]);
  assert.equal(vocab.length, model.pieces.length + 2);
  assert.deepEqual(
    committedJson.added_tokens.map((t: { id: number; content: string; lstrip: boolean }) => [t.id, t.content, t.lstrip]),
    [
      [0, '<s>', false],
      [1, '<pad>', false],
      [2, '</s>', false],
      [3, '<unk>', false],
      [vocab.length - 1, '<mask>', true],
    ],
  );
  assert.equal(committedJson.model.unk_id, 3);
});

test('a model without the XLM-R special layout is refused', () => {
  const shuffled: SentencePieceModel = {
    ...model,
    pieces: [{ piece: '<pad>', score: 0, type: PieceType.Control }, ...model.pieces.slice(1)],
  };
  assert.throws(() => toXlmRobertaTokenizerJson(shuffled), /piece 0 is "<pad>".*--unk_id=0 --bos_id=1 --eos_id=2/);
});

test('the training corpus is deterministic and multilingual', () => {
  const corpus = buildCorpus();
  assert.equal(corpus, buildCorpus());
  const scripts = [
    /\p{Script=Latin}/u,
    /\p{Script=Cyrillic}/u,
    /\p{Script=Greek}/u,
    /\p{Script=Arabic}/u,
    /\p{Script=Hebrew}/u,
    /\p{Script=Han}/u,
    /\p{Script=Hiragana}/u,
    /[\uff66-\uff9f]/u,
    /\p{Script=Hangul}/u,
    /\p{Script=Devanagari}/u,
    /\p{Script=Thai}/u,
    /\p{Extended_Pictographic}/u,
    /[\uff01-\uff5e]/u,
  ];
  for (const script of scripts) assert.match(corpus, script);
});
