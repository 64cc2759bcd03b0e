/**
 * A hand-made Unigram tokenizer.json with BGE-M3's pipeline (Metaspace, RobertaProcessing,
 * <unk> at id 3, no normalizer, no added tokens) around a vocabulary of a test's own, written
 * to a temporary file so the Rust oracle can read the very same JSON.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface SmallUnigram {
  json: Record<string, unknown>;
  /** The tokenizer.json written out; `dir` is the caller's to remove. */
  path: string;
  dir: string;
}

export function smallUnigram(vocab: [string, number][], name: string): SmallUnigram {
  const metaspace = { type: 'Metaspace', replacement: '▁', prepend_scheme: 'always', split: true };
  const json = {
    version: '1.0',
    // No added tokens: a literal "<unk>" reaches the model, as "＜unk＞" does after normalization.
    added_tokens: [],
    normalizer: null,
    pre_tokenizer: metaspace,
    post_processor: { type: 'RobertaProcessing', sep: ['</s>', 2], cls: ['<s>', 0] },
    decoder: metaspace,
    model: { type: 'Unigram', unk_id: 3, vocab, byte_fallback: false },
  };
  const dir = mkdtempSync(join(tmpdir(), `bge-tokenizer-${name}-`));
  const path = join(dir, 'tokenizer.json');
  writeFileSync(path, JSON.stringify(json));
  return { json, path, dir };
}
