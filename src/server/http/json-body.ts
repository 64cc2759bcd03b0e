// The JSON body parser of every JSON route: express.json for any Content-Type
// (curl -d sends application/x-www-form-urlencoded, Cog's clients rely on it),
// with a cap on nesting depth, checked on the bytes before parsing (cheap)
// and on the parsed value after, so nothing downstream can overflow the stack.
import express, { type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import { pathDeeperThan, rawJsonDeeperThan } from '../../api/json-depth.ts';

/** No request of any API here nests beyond a handful of levels. */
export const MAX_JSON_DEPTH = 64;

/** Raised for a body nested deeper than MAX_JSON_DEPTH; the claiming protocol's error table answers it (Cog: a 422 detail list). */
export class JsonTooDeepError extends Error {
  readonly status = 400;
  readonly type = 'entity.too.deep';
  constructor(readonly path: (string | number)[]) {
    super(
      `The request body nests deeper than ${MAX_JSON_DEPTH} levels (at ${describePath(path)}), the limit of this server. Send flat JSON such as {"input": {"texts": ["hello"]}}.`,
    );
  }
}

/** One middleware: parse, then refuse what nests too deeply. Other API doors should mount it too. */
export function jsonBody(maxBytes: number): RequestHandler {
  const parse = express.json({ limit: maxBytes, type: () => true, verify: refuseDeepText });
  return (req: Request, res: Response, next: NextFunction) => {
    parse(req, res, (err?: unknown) => {
      if (err) return next(err);
      const path = pathDeeperThan(req.body, MAX_JSON_DEPTH);
      next(path ? new JsonTooDeepError(path) : undefined);
    });
  };
}

/** Before JSON.parse, which would spend about a second per megabyte of `[`. */
function refuseDeepText(_req: unknown, _res: unknown, buf: Buffer): void {
  const path = rawJsonDeeperThan(buf, MAX_JSON_DEPTH);
  if (path) throw new JsonTooDeepError(path);
}

function describePath(path: (string | number)[]): string {
  const shown = path
    .slice(0, 3)
    .map((p, i) => (typeof p === 'number' ? `[${p}]` : i ? `.${p}` : p))
    .join('');
  return `${shown || 'the top level'}${path.length > 3 ? '…' : ''}`;
}
