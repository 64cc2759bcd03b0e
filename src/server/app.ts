// The Express app: Cog routes, /v1, the playground, and JSON errors.
import express, { type Express } from 'express';
import { cogErrorShape, cohereErrorShape, openaiErrorShape, refusalByApi, teiErrorShape, v1ErrorShape } from './protocols.ts';
import type { ServerContext } from './context.ts';
import { errorHandler, notFound } from './cog/errors.ts';
import { originPolicy } from './http/origin-policy.ts';
import { cogRoutes } from './cog/routes.ts';
import { healthRoutes } from './ops/health-routes.ts';
import { metricsRoutes } from './ops/metrics-routes.ts';
import { staticRoutes } from './playground.ts';
import { securityHeaders } from './http/security-headers.ts';
import { COHERE_PATHS, cohereRoutes } from './cohere/routes.ts';
import { OPENAI_PATHS, openaiRoutes } from './openai/routes.ts';
import { TEI_PATHS, teiRoutes } from './tei/routes.ts';
import { v1Routes } from './replicate/routes.ts';

export function createApp(ctx: ServerContext): Express {
  const app = express();
  app.disable('x-powered-by');
  app.use(ctx.metrics.http);
  // Before every route, so routes added later get them too.
  app.use(securityHeaders(ctx.webDir));
  app.use(originPolicy(ctx.config.corsAllowOrigins, refusalByApi));
  app.use(healthRoutes(ctx));
  app.use('/metrics', ctx.auth.metricsGuard(cogErrorShape));
  app.use(metricsRoutes(ctx.metrics));
  // Before the routers, so no body is parsed for a request without a valid key.
  // OpenAI's before /v1's, so /v1/embeddings answers in OpenAI's shape; TEI's /info stays open like /openapi.json.
  app.use(OPENAI_PATHS, ctx.auth.guard(openaiErrorShape));
  app.use(COHERE_PATHS, ctx.auth.guard(cohereErrorShape)); // likewise /v1/rerank in Cohere's shape
  app.use(TEI_PATHS.filter((p) => p !== '/info'), ctx.auth.guard(teiErrorShape));
  app.post('/', ctx.auth.guard(teiErrorShape));
  app.use(['/predictions', '/shutdown'], ctx.auth.guard(cogErrorShape));
  app.use('/v1', ctx.auth.guard(v1ErrorShape));
  app.use(cogRoutes(ctx));
  // Before /v1 (Replicate's router): /v1/embeddings is OpenAI's.
  app.use(openaiRoutes(ctx));
  app.use(cohereRoutes(ctx)); // /v1/rerank too
  app.use(teiRoutes(ctx));
  app.use('/v1', v1Routes(ctx));
  app.use(staticRoutes(ctx.webDir));
  app.use(notFound);
  app.use(errorHandler(ctx.log, ctx.config.maxBodyBytes));
  return app;
}
