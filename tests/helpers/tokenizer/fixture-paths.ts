/** Locations of the committed tokenizer fixture (regenerate: npx tsx tools/fixtures/tokenizer/train.ts). */
import { fileURLToPath } from 'node:url';

export const TOKENIZER_JSON = fileURLToPath(new URL('../../fixtures/tokenizer/tokenizer.json', import.meta.url));
export const SPM_MODEL = fileURLToPath(new URL('../../fixtures/tokenizer/spm.model', import.meta.url));
