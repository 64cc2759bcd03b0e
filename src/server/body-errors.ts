// Body-parser failures described once, for the routes that answer them in
// their own protocol's error shape (OpenAI, TEI). errors.ts does the same for
// the Cog and /v1 shapes.

interface BodyParserError extends Error {
  type?: string;
}

export type BodyProblem = { status: number; message: string } | 'aborted' | undefined;

/** What to answer for a body-parser error; undefined when `err` is not one. */
export function bodyProblem(err: unknown, maxBodyBytes: number): BodyProblem {
  const e = err as BodyParserError;
  switch (e?.type) {
    case 'entity.too.large':
      return { status: 413, message: `The request body is larger than this server's limit of ${Math.round(maxBodyBytes / 1024 / 1024 * 100) / 100} MiB (BGE_M3_MAX_BODY_MB). Send fewer or shorter inputs per request.` };
    case 'entity.parse.failed':
      return { status: 400, message: `The request body is not valid JSON (${e.message}).` };
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return { status: 415, message: `${e.message}. Send the body as UTF-8 JSON.` };
    case 'request.aborted':
      return 'aborted';
  }
  return undefined;
}
