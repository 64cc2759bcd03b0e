// The Express app: Cog routes, /v1, the playground, and JSON errors.
import express, { type Express } from 'express';
import { cogErrorShape, v1ErrorShape } from './auth-shapes.ts';
import type { ServerContext } from './context.ts';
import { errorHandler, notFound } from './errors.ts';
import { originPolicy } from './origin-policy.ts';
import { cogRoutes } from './routes-cog.ts';
import { healthRoutes } from './routes-health.ts';
import { metricsRoutes } from './routes-metrics.ts';
import { staticRoutes } from './routes-static.ts';
import { securityHeaders } from './security-headers.ts';
import { v1Routes } from './routes-v1.ts';

export function createApp(ctx: ServerContext): Express {
  const app = express();
  app.disable('x-powered-by');
  app.use(ctx.metrics.http);
  // Before every route, so routes added later get them too.
  app.use(securityHeaders(ctx.webDir));
  app.use(originPolicy(ctx.config.corsAllowOrigins));
  app.use(healthRoutes(ctx));
  app.use('/metrics', ctx.auth.metricsGuard(cogErrorShape));
  app.use(metricsRoutes(ctx.metrics));
  // Before the routers, so no body is parsed for a request without a valid key.
  app.use(['/predictions', '/shutdown'], ctx.auth.guard(cogErrorShape));
  app.use('/v1', ctx.auth.guard(v1ErrorShape));
  app.use(cogRoutes(ctx));
  app.use('/v1', v1Routes(ctx));
  app.use(staticRoutes(ctx.webDir));
  app.use(notFound);
  app.use(errorHandler(ctx.log, ctx.config.maxBodyBytes));
  return app;
}
