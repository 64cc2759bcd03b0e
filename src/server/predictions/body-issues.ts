// The prediction APIs' (Cog's and Replicate's) wording of request errors that
// are not theirs alone: a malformed or too-deep body, and a Predictor's
// ClientError as FastAPI-style detail entries.
import type { ClientError } from '../../api/errors.ts';
import { inputNames } from '../../api/schema.ts';
import type { ValidationDetail } from '../types.ts';

/** A body that is not JSON: the parser's complaint, and what to send instead. */
export function malformedBodyMessage(problem: string): string {
  return `${problem} Send a JSON object such as {"input": {"texts": ["hello"]}}.`;
}

/** The too-deep issue (at ['body', top, key]), plus one naming the key as unknown when `input` has no such input. */
export function tooDeepIssues(issues: readonly ValidationDetail[]): ValidationDetail[] {
  const out = [...issues];
  const [, top, key] = issues[0]?.loc ?? [];
  if (top === 'input' && typeof key === 'string' && !inputNames.includes(key)) {
    out.push({ loc: ['body', 'input', key], msg: `unknown input "${key}"; valid inputs are: ${inputNames.join(', ')}`, type: 'value_error.extra' });
  }
  return out;
}

/** A ClientError's issues, located in the request body. */
export function clientErrorIssues(err: ClientError): ValidationDetail[] {
  return err.issues.map((i) => ({ loc: ['body', 'input', ...i.loc], msg: i.message, type: i.type }));
}
