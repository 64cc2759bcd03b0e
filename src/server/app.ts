// The Express app: the protocols (Cog, Replicate v1, OpenAI, Cohere, TEI), health and
// metrics, the playground, and JSON errors in the shape of the protocol that
// claims each request.
import express, { type Express } from 'express';
import type { ServerContext } from './context.ts';
import { cogErrorShape, cogProtocol } from './cog/protocol.ts';
import { cohereProtocol } from './cohere/protocol.ts';
import { allowedHostsGuard } from './http/allowed-hosts.ts';
import { errorHandler as protocolErrorHandler, notFound } from './http/error-handlers.ts';
import type { RefusalWriter } from './http/origin-policy.ts';
import { originPolicy } from './http/origin-policy.ts';
import { securityHeaders } from './http/security-headers.ts';
import type { Logger } from './log.ts';
import { openaiProtocol } from './openai/protocol.ts';
import { healthRoutes } from './ops/health-routes.ts';
import { metricsRoutes } from './ops/metrics-routes.ts';
import { staticRoutes } from './playground.ts';
import { keyRefusal, protocolFor, type Protocol, type RequestLine } from './protocols.ts';
import { replicateProtocol } from './replicate/protocol.ts';
import { teiProtocol } from './tei/protocol.ts';

/**
 * Every protocol, in the order they claim requests, guard them and route them:
 * OpenAI's /v1/embeddings and Cohere's /v1/rerank before Replicate's /v1; Cog
 * claims what is left.
 */
export const PROTOCOLS: readonly Protocol[] = [openaiProtocol, cohereProtocol, teiProtocol, replicateProtocol, cogProtocol];

const claimant = (req: RequestLine) => protocolFor(PROTOCOLS, req);

/** The app's last handler: body and server errors in the shape of the protocol that claims the request. */
export function errorHandler(log: Logger, maxBodyBytes: number) {
  return protocolErrorHandler(claimant, log, maxBodyBytes);
}

export function createApp(ctx: ServerContext): Express {
  const app = express();
  app.disable('x-powered-by');
  // req.ip (the failed-key backoff's address) comes from X-Forwarded-For only through the proxies TRUST_PROXY names.
  app.set('trust proxy', ctx.config.trustProxy);
  app.use(ctx.metrics.http);
  // Before every route, so routes added later get them too.
  app.use(securityHeaders(ctx.webDir));
  const forbidden: RefusalWriter = (req, res, message) => claimant(req).sendError(res, { kind: 'forbidden', message });
  // Host first: a page on a rebound DNS name is same-origin to the origin policy, but its Host is not ours.
  app.use(allowedHostsGuard(ctx.allowedHosts, forbidden));
  app.use(originPolicy(ctx.config.corsAllowOrigins, forbidden));
  app.use(healthRoutes(ctx));
  app.use('/metrics', ctx.auth.metricsGuard(cogErrorShape));
  app.use(metricsRoutes(ctx.metrics));
  // Before the routers, so no body is parsed for a request without a valid key.
  for (const p of PROTOCOLS) {
    const guard = ctx.auth.guard(keyRefusal(p));
    for (const { paths, post } of p.keyRoutes) post ? app.post([...paths], guard) : app.use([...paths], guard);
  }
  for (const p of PROTOCOLS) app.use(p.mountPath, p.routes(ctx));
  app.use(staticRoutes(ctx.webDir));
  app.use(notFound(claimant));
  app.use(errorHandler(ctx.log, ctx.config.maxBodyBytes));
  return app;
}
