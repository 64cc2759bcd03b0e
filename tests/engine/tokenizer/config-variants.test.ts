/**
 * Nothing may be hard-coded from the fixture: variants of the tokenizer.json (the legacy
 * Metaspace fields older Hub files use, a normalized <mask>, RobertaProcessing, other prepend
 * schemes, split off) must still match the oracle reading the same variant. Unsupported
 * pipelines must fail at load with a message that names the problem.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { BgeTokenizer } from '../../../src/engine/tokenizer/bge-tokenizer.ts';
import { TOKENIZER_JSON } from '../../helpers/tokenizer/fixture-paths.ts';
import { RustOracle } from '../../helpers/tokenizer/oracle.ts';
import { CURATED, generatedStrings } from '../../helpers/tokenizer/test-strings.ts';

type Json = Record<string, any>;
const BASE: Json = JSON.parse(readFileSync(TOKENIZER_JSON, 'utf8'));
const STRINGS = [...CURATED, ...generatedStrings(60, 99)];
const dir = mkdtempSync(join(tmpdir(), 'bge-tokenizer-variants-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function variant(change: (json: Json) => void): Json {
  const json = structuredClone(BASE);
  change(json);
  return json;
}

const VARIANTS: Record<string, Json> = {
  'legacy Metaspace fields, normalized <mask>, RobertaProcessing': variant((json) => {
    const legacy = { type: 'Metaspace', replacement: '▁', add_prefix_space: true, prepend_scheme: 'always' };
    json.pre_tokenizer = legacy;
    json.decoder = legacy;
    json.added_tokens.at(-1).normalized = true;
    json.post_processor = { type: 'RobertaProcessing', sep: ['</s>', 2], cls: ['<s>', 0], trim_offsets: true, add_prefix_space: true };
  }),
  'prepend_scheme never, split false': variant((json) => {
    json.pre_tokenizer = { type: 'Metaspace', replacement: '▁', prepend_scheme: 'never', split: false };
    json.decoder = { ...json.pre_tokenizer };
  }),
  'prepend_scheme first': variant((json) => {
    json.pre_tokenizer = { type: 'Metaspace', replacement: '▁', prepend_scheme: 'first', split: true };
  }),
  'rstrip and single_word added token': variant((json) => {
    json.added_tokens.push({ id: 4002, content: 'mask', single_word: true, lstrip: false, rstrip: true, normalized: false, special: false });
  }),
};

for (const [name, json] of Object.entries(VARIANTS)) {
  test(`variant (${name}) matches the oracle`, async () => {
    const path = join(dir, `${name.replace(/\W+/g, '-')}.json`);
    writeFileSync(path, JSON.stringify(json));
    const oracle = new RustOracle(path);
    const tokenizer = BgeTokenizer.fromJson(json);
    assert.equal(tokenizer.vocabSize, oracle.vocabSize);
    const mismatches = [];
    for (const text of STRINGS) {
      const expected = await oracle.ids(text);
      const actual = tokenizer.encode(text, 1_000_000).ids;
      if (expected.join() !== actual.join()) mismatches.push({ text, expected, actual });
    }
    assert.deepEqual(mismatches, []);
  });
}

const BROKEN: [string, Json, RegExp][] = [
  ['BPE model', variant((json) => (json.model.type = 'BPE')), /only Unigram is supported/],
  ['byte fallback', variant((json) => (json.model.byte_fallback = true)), /byte_fallback is not supported/],
  ['ByteLevel pre-tokenizer', variant((json) => (json.pre_tokenizer = { type: 'ByteLevel' })), /pre_tokenizer is "ByteLevel"/],
  ['unknown normalizer', variant((json) => json.normalizer.normalizers.push({ type: 'Nmt' })), /unsupported normalizer "Nmt"/],
  ['empty charsmap', variant((json) => (json.normalizer.normalizers[0].precompiled_charsmap = '')), /no precompiled_charsmap/],
  ['truncated charsmap', variant((json) => (json.normalizer.normalizers[0].precompiled_charsmap = 'AAEAAAAA')), /charsmap is corrupt/],
  ['no post-processor', variant((json) => (json.post_processor = null)), /post_processor must be an object/],
  ['template without $A', variant((json) => (json.post_processor.single = json.post_processor.single.slice(0, 1))), /TemplateProcessing single must be/],
  ['unknown prepend scheme', variant((json) => (json.pre_tokenizer.prepend_scheme = 'sometimes')), /unknown prepend_scheme "sometimes"/],
];

for (const [name, json, message] of BROKEN) {
  test(`load fails clearly for ${name}`, () => {
    assert.throws(() => BgeTokenizer.fromJson(json), message);
  });
}

test('fromFile names the file it cannot read', async () => {
  await assert.rejects(BgeTokenizer.fromFile(join(dir, 'missing.json')), /cannot read tokenizer file .*missing\.json/);
});
