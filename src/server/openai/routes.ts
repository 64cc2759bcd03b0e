// OpenAI's embeddings API: POST /v1/embeddings (and /embeddings), so OpenAI
// SDKs, LangChain and LlamaIndex work with base_url http://host:port/v1. The
// vector is BGE-M3's dense vector, from the same Predictor and slots as
// /predictions. Errors come in OpenAI's {"error": {message, type, param, code}}.
import express, { type Request, type Response, type Router } from 'express';
import type { ErrorKind } from '../protocols.ts';
import { encodeFloat32Base64 } from '../../api/vector-encoding.ts';
import type { ServerContext } from '../context.ts';
import { jsonBody } from '../http/json-body.ts';
import { runEmbedCall, type EmbedFailure } from '../predictions/embed-call.ts';
import { DENSE_DIM, MODEL_ID } from '../../engine/model-facts.ts';
import type { EmbedCall } from '../types.ts';
import { sendOpenAIError } from './errors.ts';

export const OPENAI_PATHS = ['/v1/embeddings', '/embeddings'];
/** Inputs per request: /predictions' limit on texts. */
export const OPENAI_MAX_INPUTS = 1024;
/** Tokens per request, summed over the inputs (<s> and </s> counted): OpenAI's own limit. */
export const OPENAI_MAX_REQUEST_TOKENS = 300_000;
const DEFAULT_MODEL = MODEL_ID;
const BGE_M3_DIM = DENSE_DIM;

/** A request this route refuses while reading it; `code` replaces the table's for its kind. */
class BadRequest extends Error {
  constructor(
    message: string,
    readonly param: string | null,
    readonly code: string | null = null,
    readonly kind: ErrorKind = 'invalid_input',
  ) {
    super(message);
  }
}

interface Parsed {
  call: EmbedCall;
  model: string;
  base64: boolean;
}

export function openaiRoutes(ctx: ServerContext): Router {
  const r = express.Router();
  const json = jsonBody(ctx.config.maxBodyBytes);
  r.post(OPENAI_PATHS, json, (req, res) => embeddings(ctx, req, res));
  r.all(OPENAI_PATHS, (req, res) =>
    sendOpenAIError(res, { kind: 'method_not_allowed', message: `Invalid method for URL (${req.method} ${req.path}): use POST.` }),
  );
  return r;
}

async function embeddings(ctx: ServerContext, req: Request, res: Response): Promise<void> {
  let parsed: Parsed;
  try {
    parsed = parseRequest(req.body, ctx.predictor.info?.dim ?? BGE_M3_DIM);
  } catch (err) {
    if (!(err instanceof BadRequest)) throw err;
    return sendOpenAIError(res, { kind: err.kind, message: err.message, param: err.param, code: err.code });
  }
  const outcome = await runEmbedCall(ctx, res, parsed.call, 'openai');
  if (res.destroyed) return;
  if (!outcome.ok) return sendFailure(res, outcome);
  const { dense, tokenCounts } = outcome.value;
  const tokens = tokenCounts.reduce((a, b) => a + b, 0);
  res.json({
    object: 'list',
    data: dense!.map((v, index) => ({ object: 'embedding', embedding: parsed.base64 ? encodeFloat32Base64(v) : v, index })),
    model: parsed.model,
    usage: { prompt_tokens: tokens, total_tokens: tokens },
  });
}

function sendFailure(res: Response, f: EmbedFailure): void {
  if (f.kind !== 'client') return sendOpenAIError(res, f);
  const param = f.error.index === null ? 'input' : `input[${f.error.index}]`;
  const hint = f.error.kind === 'too_long' ? '. Shorten it, or send "truncate": true (an extension of this server) to keep its first 8190 tokens' : '';
  sendOpenAIError(res, { kind: f.error.kind, message: `Invalid '${param}': ${f.error.message}${hint}.`, param: 'input' });
}

function parseRequest(body: unknown, dim: number): Parsed {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new BadRequest('The request body must be a JSON object such as {"model": "BAAI/bge-m3", "input": "hello"}.', null);
  }
  const b = body as Record<string, unknown>;
  const model = optionalString(b, 'model') ?? DEFAULT_MODEL;
  optionalString(b, 'user');
  const format = b.encoding_format ?? 'float';
  if (format !== 'float' && format !== 'base64') {
    throw new BadRequest(
      `Invalid value for 'encoding_format': ${JSON.stringify(format)}. Supported values are: 'float' and 'base64'.`,
      'encoding_format',
      'invalid_value',
    );
  }
  if (b.dimensions !== undefined && b.dimensions !== null && b.dimensions !== dim) {
    throw new BadRequest(
      `Invalid value for 'dimensions': ${JSON.stringify(b.dimensions)}. BGE-M3 is not a Matryoshka model: its dense vector has ${dim} dimensions and cannot be shortened. Omit 'dimensions' or send ${dim}.`,
      'dimensions',
      'invalid_value',
    );
  }
  if (b.truncate !== undefined && b.truncate !== null && typeof b.truncate !== 'boolean') {
    throw new BadRequest(`Invalid type for 'truncate': expected a boolean, but got ${typeName(b.truncate)}.`, 'truncate', 'invalid_type');
  }
  const inputs = parseInput(b.input);
  return {
    call: { inputs, truncate: b.truncate === true, dense: true, sparse: false, maxTotalTokens: OPENAI_MAX_REQUEST_TOKENS },
    model,
    base64: format === 'base64',
  };
}

const INPUT_SHAPES = 'a string, an array of strings, an array of token ids, or an array of token-id arrays';

function parseInput(input: unknown): (string | number[])[] {
  if (input === undefined || input === null) throw new BadRequest(`'input' is a required property: ${INPUT_SHAPES}.`, 'input', null);
  if (typeof input === 'string') return [input];
  if (!Array.isArray(input)) throw new BadRequest(`Invalid type for 'input': expected ${INPUT_SHAPES}, but got ${typeName(input)}.`, 'input', 'invalid_type');
  if (input.length === 0) throw new BadRequest("Invalid 'input': it must not be empty.", 'input', 'invalid_value', 'empty_input');
  let inputs: (string | number[])[];
  if (input.every((x) => typeof x === 'number')) inputs = [input as number[]];
  else if (input.every((x) => typeof x === 'string')) inputs = input as string[];
  else if (input.every((x) => Array.isArray(x))) {
    const bad = input.findIndex((x: unknown[]) => !x.every((id) => typeof id === 'number'));
    if (bad >= 0) throw new BadRequest(`Invalid type for 'input[${bad}]': a token-id array must hold only integers.`, 'input', 'invalid_type');
    inputs = input as number[][];
  } else {
    throw new BadRequest(`Invalid 'input': it must be ${INPUT_SHAPES}, not a mix.`, 'input', 'invalid_type');
  }
  if (inputs.length > OPENAI_MAX_INPUTS) {
    throw new BadRequest(
      `Invalid 'input': it holds ${inputs.length} inputs; this server takes at most ${OPENAI_MAX_INPUTS} per request.`,
      'input',
      'invalid_value',
    );
  }
  return inputs;
}

function optionalString(b: Record<string, unknown>, key: string): string | undefined {
  const v = b[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw new BadRequest(`Invalid type for '${key}': expected a string, but got ${typeName(v)}.`, key, 'invalid_type');
  return v;
}

function typeName(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  return typeof v === 'object' ? 'an object' : `a ${typeof v}`;
}
