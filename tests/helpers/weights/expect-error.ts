import assert from 'node:assert/strict';
import { WeightsError, type WeightsErrorCode } from '../../../src/engine/weights/errors.ts';

/** Awaits `p`, asserts it rejects with a WeightsError of `code`, returns the error. */
export async function expectWeightsError(p: Promise<unknown>, code: WeightsErrorCode): Promise<WeightsError> {
  const err = await p.then(
    () => assert.fail(`expected a ${code} error, but it succeeded`),
    (e: unknown) => e,
  );
  assert.ok(err instanceof WeightsError, `not a WeightsError: ${(err as Error)?.stack ?? err}`);
  assert.equal(err.code, code, err.message);
  return err;
}
