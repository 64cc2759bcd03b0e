// When the input goes bad part way (a malformed row, a read error): record
// in the manifest the bytes of input the complete parts were made from and
// their SHA-256, so that a rerun on the fixed file continues after those parts
// when those bytes are unchanged.
import { CorpusError, type InputError } from './errors.ts';
import { onlyEdited, prefixSha256, writeManifest, type InputIdentity, type JobOptions, type Manifest } from './manifest.ts';

/**
 * The input was edited after the job stopped at an input error: it continues
 * when the bytes its complete parts were made from are unchanged.
 */
export async function fixedSinceStop(
  previous: Manifest,
  inputFile: string,
  input: InputIdentity,
  options: JobOptions,
  log: (line: string) => void,
): Promise<boolean> {
  const stopped = previous.stopped;
  if (!stopped || !onlyEdited(previous, input, options)) return false;
  if ((await prefixSha256(inputFile, stopped.prefix_bytes)) !== stopped.prefix_sha256) return false;
  log(
    `${inputFile} changed since this shard stopped at an input error; its first ${stopped.prefix_bytes} bytes, which the complete parts were made from, did not: continuing`,
  );
  return true;
}

/** Records where the job stopped (so a fixed input can continue) and says what was kept and what to do. */
export async function stopAtInputError(err: InputError, inputFile: string, mfile: string, manifest: Manifest): Promise<CorpusError> {
  const last = manifest.parts.at(-1);
  const bytes = last ? last.input_end_byte : 0;
  let resumable = false;
  if (bytes !== undefined) {
    try {
      manifest.stopped = { error: err.message, prefix_bytes: bytes, prefix_sha256: await prefixSha256(inputFile, bytes) };
      writeManifest(mfile, manifest);
      resumable = true;
    } catch {
      // The input cannot be read even up to there: a rerun then needs it unchanged.
    }
  }
  const kept = last
    ? `The ${manifest.parts.length} complete part(s), up to input row ${last.last_row}, are kept and listed in ${mfile}.`
    : 'No part was complete yet.';
  const rerun = resumable
    ? 'After fixing the input, rerun the same command: it continues after the kept parts.'
    : 'Rerun the same command once the input reads again: it continues after the kept parts.';
  return new CorpusError(`${err.message} ${kept} ${rerun}`);
}
