// `npm run demo`: the server on the tiny generated model, so the API and the
// playground can be tried with no download. Labelled everywhere as random.
import { ensureTestModels } from '../../tools/fixtures/test-model/cached-models.ts';

export const DEMO_BANNER =
  'DEMO MODE: a tiny model with random weights, not BGE-M3. The API behaves as the real one, but the numbers mean nothing. Run `npm start` for the real model.';

export async function demoWeights(): Promise<string> {
  return (await ensureTestModels()).dirs.official;
}
