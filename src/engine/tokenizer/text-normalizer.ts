/**
 * The tokenizer.json normalizer as one function: Precompiled steps run through our charsmap
 * implementation, every other step (BGE-M3: Replace / {2,}/ -> " ") through @huggingface/tokenizers.
 */
import { createLibraryNormalizer } from './hf-tokenizers-js.ts';
import { PrecompiledCharsmap } from './precompiled-charsmap.ts';
import type { NormalizerStep } from './tokenizer-json.ts';

export type TextNormalizer = (text: string) => string;

function stepFunction(step: NormalizerStep): TextNormalizer {
  if (step.kind === 'precompiled') {
    const charsmap = PrecompiledCharsmap.fromBase64(step.charsmapBase64);
    return (text) => charsmap.normalize(text);
  }
  const normalizer = createLibraryNormalizer(step.config);
  return (text) => normalizer.normalize(text);
}

export function buildTextNormalizer(steps: readonly NormalizerStep[]): TextNormalizer {
  const functions = steps.map(stepFunction);
  return (text) => functions.reduce((current, normalize) => normalize(current), text);
}
