// A mistake in how the corpus job was called or in its input: the CLI prints
// the message alone (no stack) and exits 2.
export class CorpusError extends Error {
  override name = 'CorpusError';
}
