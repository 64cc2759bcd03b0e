// Hugging Face text-embeddings-inference's routes, with TEI's request and
// response shapes, status codes and {"error", "error_type"} bodies (its
// router/src/http/server.rs and docs/openapi.json): /embed (dense),
// /embed_sparse (BGE-M3's lexical weights), /rerank (BGE-M3's hybrid score,
// rerank.ts), /tokenize, /decode, /info, and /predict answered as TEI answers
// for a model without a classifier head.
// Embeddings come from the same Predictor and slots as /predictions.
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import express, { type Request, type Response, type Router } from 'express';
import type { ServerContext } from '../context.ts';
import { jsonBody } from '../http/json-body.ts';
import type { ClientError } from '../../api/errors.ts';
import { runEmbedCall } from '../predictions/embed-call.ts';
import { DENSE_DIM, MAX_POSITION_TOKENS, MODEL_ID } from '../../engine/model-facts.ts';
import { SERVER_VERSION, type EmbedCall, type TokenWithOffsets } from '../types.ts';
import { sendTeiError, sendTeiFailure } from './errors.ts';
import { teiRerank } from './rerank.ts';
import { invalid, optionalBool, TeiRequestError, truncationDirection } from './request.ts';

/** Texts (or id arrays, or decode batches) per request: TEI's max_client_batch_size, /predictions' limit on texts. */
export const TEI_MAX_CLIENT_BATCH_SIZE = 1024;
/** Characters one /tokenize request may hold (it tokenizes everything, untruncated, outside the slots). */
export const TEI_MAX_TOKENIZE_CHARS = 200_000;
const MAX_INPUT_LENGTH = MAX_POSITION_TOKENS;
const BGE_M3_DIM = DENSE_DIM;

export const TEI_PATHS = ['/embed', '/embed_sparse', '/tokenize', '/decode', '/info', '/rerank', '/predict'];

export function teiRoutes(ctx: ServerContext): Router {
  const r = express.Router();
  const json = jsonBody(ctx.config.maxBodyBytes);
  const handle = (fn: (ctx: ServerContext, body: Record<string, unknown>, res: Response) => Promise<void> | void) => async (req: Request, res: Response) => {
    try {
      await fn(ctx, requestObject(req.body), res);
    } catch (err) {
      if (!(err instanceof TeiRequestError)) throw err;
      sendTeiError(res, { kind: err.kind, message: err.message });
    }
  };
  r.post('/embed', json, handle(embed));
  // TEI serves an embedding model's /embed at POST / too: clients given just the base URL post there.
  r.post('/', json, handle(embed));
  r.post('/embed_sparse', json, handle(embedSparse));
  r.post('/tokenize', json, handle(tokenize));
  r.post('/decode', json, handle(decode));
  r.get('/info', (_req, res) => info(ctx, res));
  r.post('/rerank', json, handle(teiRerank));
  r.post('/predict', json, (_req, res) =>
    sendTeiError(res, {
      kind: 'unsupported',
      message: 'Backend error: Model is not a classifier model (BGE-M3 is an embedding model: use /embed or /embed_sparse)',
    }),
  );
  r.all(TEI_PATHS, (req, res) => sendTeiError(res, { kind: 'method_not_allowed', message: `${req.method} is not allowed on ${req.path}.` }));
  return r;
}

function requestObject(body: unknown): Record<string, unknown> {
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw invalid('The request body must be a JSON object such as {"inputs": "What is Deep Learning?"}.');
  return body as Record<string, unknown>;
}

// ---- /embed, /embed_sparse

async function embed(ctx: ServerContext, body: Record<string, unknown>, res: Response): Promise<void> {
  if (body.normalize !== undefined && body.normalize !== true) {
    if (body.normalize !== false) throw invalid('`normalize` must be a boolean.');
    throw invalid(
      "Input validation error: `normalize: false` is not available: BGE-M3's dense vector is defined L2-normalized (FlagEmbedding normalizes it) and this server computes only that vector.",
    );
  }
  checkDimensions(body.dimensions, ctx.predictor.info?.dim ?? BGE_M3_DIM);
  const reply = await embedCall(ctx, body, res, { dense: true, sparse: false });
  if (reply) res.json(reply.dense);
}

async function embedSparse(ctx: ServerContext, body: Record<string, unknown>, res: Response): Promise<void> {
  const reply = await embedCall(ctx, body, res, { dense: false, sparse: true });
  if (reply) res.json(reply.sparse!.map((weights) => Object.entries(weights).map(([id, value]) => ({ index: Number(id), value }))));
}

async function embedCall(ctx: ServerContext, body: Record<string, unknown>, res: Response, need: { dense: boolean; sparse: boolean }) {
  refusePromptName(body.prompt_name);
  const inputs = parseInputs(body.inputs);
  const call: EmbedCall = {
    inputs,
    truncate: optionalBool(body, 'truncate') ?? false,
    truncationDirection: truncationDirection(body.truncation_direction),
    ...need,
  };
  const outcome = await runEmbedCall(ctx, res, call, 'tei');
  if (res.destroyed) return undefined;
  if (!outcome.ok) return void sendTeiFailure(res, outcome, embedClientMessage);
  const tokens = outcome.value.tokenCounts.reduce((a, b) => a + b, 0);
  const chars = inputs.reduce((n, x) => n + (typeof x === 'string' ? [...x].length : x.length), 0);
  res.set({ 'x-compute-tokens': String(tokens), 'x-compute-characters': String(chars) });
  return outcome.value;
}

/** What was wrong with an embed call's input, naming it as TEI's request does. */
function embedClientMessage(e: ClientError): string {
  const which = e.index === null ? '`inputs`' : `\`inputs\`[${e.index}]`;
  const hint = e.kind === 'too_long' ? `. Send "truncate": true to keep ${MAX_INPUT_LENGTH - 2} of its tokens` : '';
  return `Input validation error: ${which}: ${e.message}${hint}`;
}

/** TEI's Input: a string, an id array, or a batch of strings and id arrays. */
function parseInputs(inputs: unknown): (string | number[])[] {
  const shapes = 'a string, an array of token ids, or an array of strings and token-id arrays';
  if (typeof inputs === 'string') return [inputs];
  if (!Array.isArray(inputs)) throw invalid(`\`inputs\` must be ${shapes}.`);
  if (inputs.length === 0) throw new TeiRequestError('empty_input', 'Input validation error: `inputs` cannot be empty');
  if (inputs.every((x) => typeof x === 'number')) return [checkIds(inputs, '`inputs`')];
  const out = inputs.map((x, i) => {
    if (typeof x === 'string') return x;
    if (Array.isArray(x)) return checkIds(x, `\`inputs\`[${i}]`);
    throw invalid(`\`inputs\`[${i}] must be a string or an array of token ids.`);
  });
  checkBatchSize(out.length);
  return out;
}

function checkIds(ids: unknown[], where: string): number[] {
  if (!ids.every((id) => Number.isInteger(id) && (id as number) >= 0 && (id as number) <= 0xffffffff))
    throw invalid(`${where} must hold token ids (integers from 0).`);
  return ids as number[];
}

function checkBatchSize(n: number): void {
  if (n > TEI_MAX_CLIENT_BATCH_SIZE) throw invalid(`batch size ${n} > maximum allowed batch size ${TEI_MAX_CLIENT_BATCH_SIZE}`);
}

function refusePromptName(v: unknown): void {
  if (v === undefined || v === null) return;
  throw invalid(
    `Input validation error: \`prompt_name\` ${JSON.stringify(v)} is not available: BGE-M3 has no Sentence Transformers prompts (it needs no instruction prefix). Send each text as it should be embedded.`,
  );
}

function checkDimensions(v: unknown, dim: number): void {
  if (v === undefined || v === null || v === dim) return;
  if (v === 0) throw invalid('Input validation error: `dimensions` should be positive');
  throw invalid(
    `Input validation error: \`dimensions\` ${JSON.stringify(v)} is not available: BGE-M3 is not a Matryoshka model, its ${dim}-dimensional dense vector cannot be shortened. Omit \`dimensions\` or send ${dim}.`,
  );
}

// ---- /tokenize, /decode, /info

function requireReady(ctx: ServerContext): void {
  if (ctx.setup.status === 'failed') throw new TeiRequestError('unavailable', 'The model failed to load; GET /health-check has the setup logs.');
  if (ctx.setup.status !== 'succeeded') throw new TeiRequestError('not_ready', 'The model is still loading; GET /health-check says when it is ready.');
}

async function tokenize(ctx: ServerContext, body: Record<string, unknown>, res: Response): Promise<void> {
  refusePromptName(body.prompt_name);
  const addSpecialTokens = optionalBool(body, 'add_special_tokens') ?? true;
  const inputs = body.inputs;
  let texts: string[];
  if (typeof inputs === 'string') texts = [inputs];
  else if (Array.isArray(inputs) && inputs.every((x) => typeof x === 'string')) texts = inputs as string[];
  else throw invalid('`inputs` must be a string or an array of strings.');
  if (texts.length === 0) throw new TeiRequestError('empty_input', 'Input validation error: `inputs` cannot be empty');
  checkBatchSize(texts.length);
  const chars = texts.reduce((n, t) => n + t.length, 0);
  if (chars > TEI_MAX_TOKENIZE_CHARS)
    throw invalid(`Input validation error: \`inputs\` must have at most ${TEI_MAX_TOKENIZE_CHARS} characters in one /tokenize request. Given: ${chars}`);
  requireReady(ctx);
  if (!ctx.predictor.tokenize) throw new TeiRequestError('unavailable', "This server's predictor cannot tokenize.");
  const out: unknown[] = [];
  for (const text of texts) {
    out.push(teiTokens(text, await ctx.predictor.tokenize(text, { addSpecialTokens })));
    await yieldToLoop();
  }
  res.json(out);
}

/** TEI's SimpleToken list: byte offsets into the UTF-8 input, the input's own text for content tokens. */
function teiTokens(text: string, tokens: TokenWithOffsets[]) {
  const clean = text.replace(/\p{Cs}/gu, '\uFFFD');
  const bytes = utf8Offsets(clean);
  return tokens.map((t) =>
    t.special || t.start === undefined
      ? { id: t.id, text: t.token ?? '', special: true, start: null, stop: null }
      : { id: t.id, text: clean.slice(t.start, t.stop), special: false, start: bytes[t.start], stop: bytes[t.stop!] },
  );
}

/** UTF-8 byte offset of every UTF-16 index of `text` (which has no lone surrogates). */
function utf8Offsets(text: string): number[] {
  const out = new Array<number>(text.length + 1);
  let bytes = 0;
  for (let i = 0; i < text.length; ) {
    const cp = text.codePointAt(i)!;
    const units = cp > 0xffff ? 2 : 1;
    out[i] = bytes;
    if (units === 2) out[i + 1] = bytes;
    bytes += cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
    i += units;
  }
  out[text.length] = bytes;
  return out;
}

async function decode(ctx: ServerContext, body: Record<string, unknown>, res: Response): Promise<void> {
  const skipSpecialTokens = optionalBool(body, 'skip_special_tokens') ?? true;
  const ids = body.ids;
  if (!Array.isArray(ids)) throw invalid('`ids` must be an array of token ids or an array of such arrays.');
  const batch = ids.length > 0 && ids.every((x) => Array.isArray(x)) ? (ids as unknown[][]) : [ids];
  checkBatchSize(batch.length);
  const lists = batch.map((x, i) => checkIds(x, batch.length === 1 ? '`ids`' : `\`ids\`[${i}]`));
  if (lists.some((l) => l.length === 0)) throw new TeiRequestError('empty_input', 'Input validation error: `input_ids` cannot be empty');
  requireReady(ctx);
  if (!ctx.predictor.decode) throw new TeiRequestError('unavailable', "This server's predictor cannot decode.");
  const out: string[] = [];
  for (const list of lists) {
    try {
      out.push(await ctx.predictor.decode(list, { skipSpecialTokens }));
    } catch (err) {
      if (!(err instanceof RangeError)) throw err;
      throw new TeiRequestError('tokenizer', `tokenizer error ${err.message}`);
    }
  }
  res.json(out);
}

/** TEI names dtypes as torch does ("float32"); int8 has no TEI name, so it keeps ours. */
function teiDtype(precision: string | undefined): string {
  return precision === undefined || precision === 'fp32' ? 'float32' : precision;
}

function info(ctx: ServerContext, res: Response): void {
  const model = ctx.predictor.info;
  if (ctx.setup.status !== 'succeeded' || !model) {
    const failed = ctx.setup.status === 'failed';
    return sendTeiError(
      res,
      failed
        ? { kind: 'unavailable', message: 'The model failed to load; GET /health-check has the setup logs.' }
        : { kind: 'not_ready', message: 'The model is still loading; GET /health-check says when it is ready.' },
    );
  }
  res.json({
    model_id: MODEL_ID,
    model_sha: null,
    model_dtype: teiDtype(model.precision),
    served_model_name: MODEL_ID,
    // As TEI reports a reranker (a one-label classifier): /rerank answers. /embed and /embed_sparse still do.
    model_type: { reranker: { id2label: { 0: 'LABEL_0' }, label2id: { LABEL_0: 0 } } },
    max_concurrent_requests: ctx.runner.slots,
    max_input_length: MAX_INPUT_LENGTH,
    max_batch_tokens: model.maxBatchTokens,
    max_batch_requests: null,
    max_client_batch_size: TEI_MAX_CLIENT_BATCH_SIZE,
    auto_truncate: false,
    tokenization_workers: 1,
    version: SERVER_VERSION,
    sha: null,
    docker_label: null,
    // This server's extension: for int8, which weights the CPU got and why.
    ...(model.int8Weights && { int8_weights: { bits: model.int8Weights.bits, reason: model.int8Weights.reason } }),
  });
}
