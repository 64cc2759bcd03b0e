// The Express app: Cog routes, /v1, the playground, and JSON errors.
import express, { type Express } from 'express';
import type { ServerContext } from './context.ts';
import { errorHandler, notFound } from './errors.ts';
import { cogRoutes } from './routes-cog.ts';
import { staticRoutes } from './routes-static.ts';
import { openaiRoutes } from './routes-openai.ts';
import { teiRoutes } from './routes-tei.ts';
import { v1Routes } from './routes-v1.ts';

export function createApp(ctx: ServerContext): Express {
  const app = express();
  app.disable('x-powered-by');
  app.use(cogRoutes(ctx));
  // Before /v1 (Replicate's router): /v1/embeddings is OpenAI's.
  app.use(openaiRoutes(ctx));
  app.use(teiRoutes(ctx));
  app.use('/v1', v1Routes(ctx));
  app.use(staticRoutes(ctx.webDir));
  app.use(notFound);
  app.use(errorHandler(ctx.log, ctx.config.maxBodyBytes));
  return app;
}
