/**
 * Reads the parts of a Hugging Face tokenizer.json that an XLM-RoBERTa / BGE-M3 tokenizer uses
 * and checks that the pipeline is the one we implement: normalizers (Precompiled plus simple
 * ones), Metaspace pre-tokenizer and decoder, Template/Roberta post-processor, Unigram model.
 * Anything else is rejected with a message naming the unsupported part.
 */

export type PrependScheme = 'always' | 'first' | 'never';

export interface MetaspaceOptions {
  replacement: string;
  prependScheme: PrependScheme;
  split: boolean;
}

export interface AddedTokenSpec {
  id: number;
  content: string;
  singleWord: boolean;
  lstrip: boolean;
  rstrip: boolean;
  normalized: boolean;
}

/** One normalizer step: the charsmap we run ourselves, or a config @huggingface/tokenizers runs. */
export type NormalizerStep = { kind: 'precompiled'; charsmapBase64: string } | { kind: 'library'; config: Record<string, unknown> };

export interface TokenizerSpec {
  normalizerSteps: NormalizerStep[];
  preTokenizer: MetaspaceOptions;
  decoder: MetaspaceOptions;
  addedTokens: AddedTokenSpec[];
  vocab: [string, number][];
  unkId: number;
  /** Ids the post-processor puts around a single sequence. */
  clsId: number;
  sepId: number;
}

type Json = Record<string, unknown>;

const LIBRARY_NORMALIZERS = new Set(['Replace', 'NFC', 'NFD', 'NFKC', 'NFKD', 'Lowercase', 'Strip', 'StripAccents', 'Prepend']);

function fail(message: string): never {
  throw new Error(`tokenizer.json: ${message}`);
}

function asObject(value: unknown, where: string): Json {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) fail(`${where} must be an object`);
  return value as Json;
}

function normalizerSteps(config: unknown): NormalizerStep[] {
  if (config === null || config === undefined) return [];
  const node = asObject(config, 'normalizer');
  if (node.type === 'Sequence') {
    if (!Array.isArray(node.normalizers)) fail('normalizer Sequence has no normalizers array');
    return node.normalizers.flatMap(normalizerSteps);
  }
  if (node.type === 'Precompiled') {
    const charsmap = node.precompiled_charsmap;
    if (typeof charsmap !== 'string' || charsmap.length === 0) fail('Precompiled normalizer has no precompiled_charsmap');
    return [{ kind: 'precompiled', charsmapBase64: charsmap }];
  }
  if (typeof node.type === 'string' && LIBRARY_NORMALIZERS.has(node.type)) return [{ kind: 'library', config: node }];
  return fail(`unsupported normalizer ${JSON.stringify(node.type)}`);
}

/** Accepts both the current fields and the legacy `add_prefix_space` form, as the Rust library does. */
function metaspaceOptions(config: unknown, where: string): MetaspaceOptions {
  const node = asObject(config, where);
  if (node.type !== 'Metaspace') fail(`${where} is ${JSON.stringify(node.type)}; only Metaspace (XLM-R / BGE-M3) is supported`);
  const replacement = typeof node.replacement === 'string' ? node.replacement : '\u2581';
  let prependScheme = (node.prepend_scheme ?? 'always') as PrependScheme;
  if (!['always', 'first', 'never'].includes(prependScheme)) fail(`${where} has unknown prepend_scheme ${JSON.stringify(prependScheme)}`);
  if (node.add_prefix_space === false) prependScheme = 'never';
  return { replacement, prependScheme, split: node.split !== false };
}

function addedTokens(config: unknown): AddedTokenSpec[] {
  if (!Array.isArray(config)) return [];
  return config.map((raw, i) => {
    const token = asObject(raw, `added_tokens[${i}]`);
    if (typeof token.id !== 'number' || typeof token.content !== 'string') fail(`added_tokens[${i}] needs id and content`);
    return {
      id: token.id,
      content: token.content,
      singleWord: token.single_word === true,
      lstrip: token.lstrip === true,
      rstrip: token.rstrip === true,
      normalized: token.normalized !== false,
    };
  });
}

function unigramModel(config: unknown): { vocab: [string, number][]; unkId: number } {
  const model = asObject(config, 'model');
  if (model.type !== undefined && model.type !== 'Unigram') fail(`model is ${JSON.stringify(model.type)}; only Unigram is supported`);
  if (!Array.isArray(model.vocab)) fail('Unigram model has no vocab array');
  if (model.byte_fallback === true) fail('Unigram byte_fallback is not supported (BGE-M3 does not use it)');
  if (typeof model.unk_id !== 'number') fail('Unigram model has no unk_id');
  return { vocab: model.vocab as [string, number][], unkId: model.unk_id };
}

const TEMPLATE_SHAPE = 'TemplateProcessing single must be: special token, $A, special token';

/** cls/sep of a TemplateProcessing whose single template is [special, $A, special]. */
function templateSpecialIds(processor: Json): { clsId: number; sepId: number } {
  const single = processor.single;
  if (!Array.isArray(single) || single.length !== 3 || !('Sequence' in single[1])) fail(TEMPLATE_SHAPE);
  const specials = asObject(processor.special_tokens, 'post_processor.special_tokens');
  const idOf = (item: Json): number => {
    const name = (item.SpecialToken as Json | undefined)?.id;
    const ids = typeof name === 'string' ? (specials[name] as Json | undefined)?.ids : undefined;
    if (!Array.isArray(ids) || ids.length !== 1 || typeof ids[0] !== 'number') fail(TEMPLATE_SHAPE);
    return ids[0];
  };
  return { clsId: idOf(single[0]), sepId: idOf(single[2]) };
}

function specialIds(config: unknown): { clsId: number; sepId: number } {
  const processor = asObject(config, 'post_processor');
  if (processor.type === 'TemplateProcessing') return templateSpecialIds(processor);
  if (processor.type === 'RobertaProcessing' || processor.type === 'BertProcessing') {
    const cls = processor.cls;
    const sep = processor.sep;
    if (!Array.isArray(cls) || !Array.isArray(sep)) fail(`${processor.type} needs cls and sep as [token, id]`);
    return { clsId: cls[1] as number, sepId: sep[1] as number };
  }
  return fail(`unsupported post_processor ${JSON.stringify(processor.type)}`);
}

export function parseTokenizerJson(raw: unknown): TokenizerSpec {
  const root = asObject(raw, 'root');
  const { vocab, unkId } = unigramModel(root.model);
  return {
    normalizerSteps: normalizerSteps(root.normalizer),
    preTokenizer: metaspaceOptions(root.pre_tokenizer, 'pre_tokenizer'),
    decoder: metaspaceOptions(root.decoder, 'decoder'),
    addedTokens: addedTokens(root.added_tokens),
    vocab,
    unkId,
    ...specialIds(root.post_processor),
  };
}
