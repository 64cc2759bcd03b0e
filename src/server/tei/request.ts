// What TEI's routes share about reading a request: the refusal they throw
// (rendered through TEI's error table) and the fields several routes take.
import type { ErrorKind } from '../protocols.ts';

/** A request a route refuses; rendered through TEI's error table. */
export class TeiRequestError extends Error {
  constructor(
    readonly kind: ErrorKind,
    message: string,
  ) {
    super(message);
  }
}

export const invalid = (message: string) => new TeiRequestError('invalid_input', message);

export function truncationDirection(v: unknown): 'left' | 'right' {
  if (v === undefined || v === null) return 'right';
  if (v === 'right' || v === 'Right') return 'right';
  if (v === 'left' || v === 'Left') return 'left';
  throw invalid(`\`truncation_direction\` must be "left" or "right" (got ${JSON.stringify(v)}).`);
}

/** An optional boolean field of `body`. */
export function optionalBool(body: Record<string, unknown>, key: string): boolean | undefined {
  const v = body[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'boolean') throw invalid(`\`${key}\` must be a boolean (got ${JSON.stringify(v)}).`);
  return v;
}
