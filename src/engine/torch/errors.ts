/** A torch file could not be read; the message names the file, what was wrong and how to fix it. */
export class TorchFileError extends Error {
  constructor(source: string, problem: string) {
    super(`${source}: ${problem}`);
    this.name = 'TorchFileError';
  }
}
