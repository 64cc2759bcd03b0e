// A mistake in how the corpus job was called or in its input: the CLI prints
// the message alone (no stack) and exits 2.
export class CorpusError extends Error {
  override name = 'CorpusError';
}

/** The input could not be read on from a given line: bad content or a read error. */
export class InputError extends CorpusError {
  override name = 'InputError';

  constructor(
    readonly file: string,
    readonly line: number,
    what: string,
  ) {
    super(`${file} line ${line}: ${what}`);
  }
}
