// GET /health for orchestrators: Cog's /health-check always answers 200 with
// the state in its body, which an HTTP probe cannot read. This one answers 200
// only while predictions can run (setup succeeded, the model worker alive, no
// shutdown under way), 503 otherwise, with the same status word in its body.
import express, { type Router } from 'express';
import { healthStatus, type ServerContext } from '../context.ts';

export function healthRoutes(ctx: ServerContext): Router {
  const r = express.Router();
  r.get('/health', (_req, res) => {
    const ready = ctx.model.ready;
    const status = ctx.shutdown.requested ? 'SHUTTING_DOWN' : healthStatus(ctx);
    const detail = ready ? undefined : notReadyDetail(ctx, status);
    res
      .status(ready ? 200 : 503)
      .set('cache-control', 'no-store')
      .json({ status, ...(detail ? { detail } : {}) });
  });
  return r;
}

function notReadyDetail(ctx: ServerContext, status: string): string {
  const worker = ctx.model.worker;
  if (status === 'SHUTTING_DOWN') return 'The server is shutting down.';
  if (status === 'SETUP_FAILED') return `Setup failed: ${ctx.setup.error}`;
  if (worker?.state === 'defunct') return `The model worker died and no restart is left: ${worker.message}`;
  if (worker?.state === 'restarting') return `The model worker died (${worker.message}); a new one is loading the model.`;
  return 'Setup is still running: the model is loading.';
}
