// Runs Predictor.setup() once and remembers how it went, for /health-check.
// The server's own log gets every line whole; what clients see (the health
// check's logs, the setup error in 503s) shows paths inside the weights folder
// relative to it and no other absolute path.
import path from 'node:path';
import { hidePaths } from '../http/client-message.ts';
import type { Logger } from '../log.ts';
import { cogTime } from './time.ts';
import type { PredictorLike } from '../types.ts';

export class SetupState {
  status: 'starting' | 'succeeded' | 'failed' = 'starting';
  startedAt = new Date();
  completedAt: Date | null = null;
  private rawLogs = '';
  private rawError: string | null = null;
  /** The weights folder as the user pointed at it, resolved; known after setup when it was the Predictor's default. */
  private weightsDir: string | undefined;
  /** The model's precision once setup succeeded ('fp32' or 'int8'), when the predictor tells it. */
  precision: string | undefined;

  async run(predictor: PredictorLike, weights: string | undefined, log: Logger): Promise<void> {
    this.startedAt = new Date();
    this.weightsDir = weights === undefined ? undefined : path.resolve(weights);
    const onLine = (line: string) => {
      this.rawLogs += line.endsWith('\n') ? line : line + '\n';
      log.info(`setup: ${line.trimEnd()}`);
    };
    try {
      await predictor.setup(weights === undefined ? { log: onLine } : { weights, log: onLine });
      this.status = 'succeeded';
      this.precision = predictor.info?.precision;
      this.weightsDir ??= predictor.info?.weights;
      log.info('setup succeeded');
    } catch (err) {
      const e = err instanceof Error ? err : new Error(String(err));
      this.rawLogs += `Error while loading predictor:\n\n${e.message}\n`;
      this.rawError = e.message;
      this.status = 'failed';
      log.error(`setup failed: ${e.message}`);
      if (e.stack) log.debug(e.stack);
    } finally {
      this.completedAt = new Date();
    }
  }

  /** The setup logs as clients see them. */
  get logs(): string {
    return this.forClients(this.rawLogs);
  }

  /** The setup error's message when status is `failed`, as clients see it. */
  get error(): string | null {
    return this.rawError === null ? null : this.forClients(this.rawError);
  }

  private forClients(text: string): string {
    return hidePaths(text, this.weightsDir, 'the weights folder');
  }

  /** The health check's `setup` object: `{}` while setup runs, as Cog's Python server does. */
  toJson(): Record<string, unknown> {
    if (this.status === 'starting') return {};
    return { started_at: cogTime(this.startedAt), completed_at: cogTime(this.completedAt), logs: this.logs, status: this.status, ...this.precisionInfo() };
  }

  /**
   * For int8, `precision` and a notice the playground shows as a banner (it
   * shows any *_notice string); fp32 keeps Cog's exact setup record (the logs
   * say `precision fp32`).
   */
  private precisionInfo(): Record<string, string> {
    if (this.precision !== 'int8') return {};
    return { precision: this.precision, precision_notice: 'int8: weight products are quantized; outputs deviate slightly from fp32 (see BENCHMARKS.md).' };
  }
}
