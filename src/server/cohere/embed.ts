// Cohere's v2 embed API, POST /v2/embed: texts in, embeddings out in each of
// the asked `embedding_types` (float, int8, uint8, binary, ubinary, base64),
// so Cohere's client and the tools built on it (LangChain's CohereEmbeddings)
// embed with BGE-M3's dense vectors. The quantized types are this server's
// vector_type ones (src/api/vector-types.ts): int8/uint8 with the calibration
// GET /calibration serves, named in meta.calibration. BGE-M3 needs no
// instruction, so input_type is checked and otherwise ignored.
import { randomUUID } from 'node:crypto';
import type { Request, Response } from 'express';
import type { CalibrationRanges } from '../../api/calibration.ts';
import { describe } from '../../api/rerank-request.ts';
import { encodeFloat32Base64 } from '../../api/vector-encoding.ts';
import { quantize, type VectorType } from '../../api/vector-types.ts';
import type { ServerContext } from '../context.ts';
import { runEmbedCall } from '../predictions/embed-call.ts';
import type { EmbedCall } from '../types.ts';
import { CohereBadRequest, invalidRequest, sendCohereError, sendCohereFailure } from './errors.ts';

const INPUT_TYPES = ['search_document', 'search_query', 'classification', 'clustering'];
const EMBEDDING_TYPES = ['float', 'int8', 'uint8', 'binary', 'ubinary', 'base64'] as const;
type EmbeddingType = (typeof EMBEDDING_TYPES)[number];
const TRUNCATE = { NONE: undefined, START: 'left', END: 'right' } as const;

interface ParsedEmbed {
  texts: string[];
  types: EmbeddingType[];
  call: EmbedCall;
}

export function parseCohereEmbed(body: unknown): ParsedEmbed {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new CohereBadRequest('body', 'invalid request: the body must be a JSON object such as {"texts": ["…"], "input_type": "search_document"}.');
  }
  const b = body as Record<string, unknown>;
  const texts = b.texts;
  if (!Array.isArray(texts) || texts.length === 0) throw invalidRequest('texts', `must be a non-empty list of strings (got ${describe(texts)})`);
  texts.forEach((t, i) => {
    if (typeof t !== 'string') throw invalidRequest(`texts[${i}]`, `must be a string (got ${describe(t)})`);
  });
  if (b.input_type === 'image') throw invalidRequest('input_type', 'image is not available: BGE-M3 embeds text only');
  if (b.input_type !== undefined && b.input_type !== null && !INPUT_TYPES.includes(b.input_type as string)) {
    throw invalidRequest('input_type', `must be one of ${INPUT_TYPES.join(', ')} (got ${describe(b.input_type)})`);
  }
  const types = (b.embedding_types ?? ['float']) as unknown;
  if (!Array.isArray(types) || types.length === 0 || !types.every((t) => (EMBEDDING_TYPES as readonly unknown[]).includes(t))) {
    throw invalidRequest('embedding_types', `must be a non-empty list of ${EMBEDDING_TYPES.join(', ')} (got ${describe(types)})`);
  }
  const truncate = (b.truncate ?? 'END') as string;
  if (!(truncate in TRUNCATE)) throw invalidRequest('truncate', `must be NONE, START or END (got ${describe(b.truncate)})`);
  const direction = TRUNCATE[truncate as keyof typeof TRUNCATE];
  return {
    texts: texts as string[],
    types: [...new Set(types as EmbeddingType[])],
    call: { inputs: texts as string[], truncate: direction !== undefined, truncationDirection: direction, dense: true, sparse: false },
  };
}

export async function cohereEmbed(ctx: ServerContext, req: Request, res: Response): Promise<void> {
  let parsed: ParsedEmbed;
  try {
    parsed = parseCohereEmbed(req.body);
  } catch (e) {
    if (e instanceof CohereBadRequest) return sendCohereError(res, { kind: 'invalid_input', message: e.message });
    throw e;
  }
  const outcome = await runEmbedCall(ctx, res, parsed.call, 'cohere');
  if (res.destroyed) return;
  if (!outcome.ok) return sendCohereFailure(res, outcome);
  const dense = outcome.value.dense!.map((v) => Float32Array.from(v));
  const calibrated = parsed.types.includes('int8') || parsed.types.includes('uint8');
  let calibration: CalibrationRanges | undefined;
  if (calibrated) {
    try {
      if (!ctx.predictor.calibration) throw new Error("this server's predictor has no calibration");
      calibration = await ctx.predictor.calibration();
    } catch (e) {
      return sendCohereError(res, {
        kind: 'invalid_input',
        message: `invalid request: embedding_types int8 and uint8 need a calibration of the weights, and none could be made (${(e as Error).message}): run \`cli.ts calibrate\`, or ask for float, binary or ubinary.`,
      });
    }
  }
  const embeddings: Partial<Record<EmbeddingType, unknown[]>> = {};
  for (const type of parsed.types) {
    if (type === 'float') embeddings.float = dense.map((v) => Array.from(v));
    else if (type === 'base64') embeddings.base64 = dense.map((v) => encodeFloat32Base64(v));
    else embeddings[type] = dense.map((v) => quantize(v, type as VectorType, calibration?.dense).values);
  }
  res.json({
    id: randomUUID(),
    embeddings,
    texts: parsed.texts,
    meta: {
      api_version: { version: '2' },
      billed_units: { input_tokens: outcome.value.tokenCounts.reduce((a, b) => a + b, 0) },
      ...(calibration ? { calibration: calibration.hash } : {}),
    },
  });
}
