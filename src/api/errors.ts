// The one error the Predictor throws for a request it refuses: the client's
// mistake, not the server's. The server recognises it with instanceof and each
// protocol renders its `kind` through its own error table.

export interface InputIssue {
  /** The input key at fault, or null when the problem is the input as a whole. */
  field: string | null;
  /** Path below the input object, e.g. ['texts', 2]; Cog's 422 `loc` is ['body', 'input', ...loc]. */
  loc: (string | number)[];
  message: string;
  type: string;
}

/** What was wrong with the request. */
export type ClientErrorKind =
  /** An input breaks schema.json or a validation rule (the character limit per request included); `issues` say where. */
  | 'invalid_input'
  /** The output asked for is too large to return (return_colbert over too many tokens); `issues` say where. */
  | 'output_too_large'
  /** One input holds more tokens than BGE-M3's position limit, and truncation was not asked for. */
  | 'too_long'
  /** The inputs of one embed request hold more tokens in total than one request may. */
  | 'too_many_tokens'
  /** A token id outside the model's vocabulary. */
  | 'bad_token_id';

export const CLIENT_ERROR_KINDS: readonly ClientErrorKind[] = ['invalid_input', 'output_too_large', 'too_long', 'too_many_tokens', 'bad_token_id'];

export class ClientError extends Error {
  constructor(
    readonly kind: ClientErrorKind,
    message: string,
    /** Field-level faults, for kinds that have them. */
    readonly issues: InputIssue[] = [],
    /** The input (text or token-id array) at fault, when one is. */
    readonly index: number | null = null,
  ) {
    super(message);
    this.name = 'ClientError';
  }
}

/** Input that breaks schema.json or a validation rule: one issue per fault, all in one error. */
export class InputValidationError extends ClientError {
  constructor(issues: InputIssue[], kind: 'invalid_input' | 'output_too_large' = 'invalid_input') {
    super(kind, issues.map((i) => i.message).join('; '), issues);
    this.name = 'InputValidationError';
  }
}

export type EmbedInputProblem = 'too_long' | 'too_many_tokens' | 'bad_token_id';

/**
 * An embed request (the OpenAI and TEI doors) refused for its token lengths or
 * ids. The message describes the input without naming it ("it has …"); `index` names it.
 */
export class EmbedInputError extends ClientError {
  constructor(
    message: string,
    readonly problem: EmbedInputProblem,
    index: number | null,
  ) {
    super(problem, message, [], index);
    this.name = 'EmbedInputError';
  }
}
