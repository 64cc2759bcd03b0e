// The tiny generated models every end-to-end test runs on.
export { ensureTestModels, type TestModels, type LayoutName, type XlmrConfig } from '../../../tools/fixtures/test-model/cached-models.ts';
