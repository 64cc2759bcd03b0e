// One prediction's life as the browser sees it: create with a short
// `Prefer: wait`, then poll `urls.get` until it ends; cancel on request.
import { cancelPrediction, createPrediction, getPrediction } from './api.js';

/** @typedef {import('./api.js').V1Prediction} V1Prediction */

const TERMINAL = new Set(['succeeded', 'failed', 'canceled']);
const FIRST_WAIT_SECONDS = 1;
const POLL_MS = 500;

export class PredictionRun {
  /**
   * @param {Record<string, unknown>} input
   * @param {(p: V1Prediction) => void} [onUpdate] called with every state seen
   */
  constructor(input, onUpdate = () => {}) {
    this.input = input;
    this.onUpdate = onUpdate;
    /** @type {V1Prediction | null} */
    this.latest = null;
    this.cancelRequested = false;
  }

  /** Resolves with the terminal prediction; rejects with an ApiError. @returns {Promise<V1Prediction>} */
  async run() {
    let p = await createPrediction(this.input, FIRST_WAIT_SECONDS);
    this.update(p);
    // A cancel clicked while the create request was still open is sent now.
    if (this.cancelRequested && !TERMINAL.has(p.status)) await this.cancel();
    while (!TERMINAL.has(p.status)) {
      await sleep(POLL_MS);
      p = await getPrediction(p.urls.get);
      this.update(p);
    }
    return p;
  }

  /** Asks the server to cancel; the poll loop then sees `canceled`. */
  async cancel() {
    this.cancelRequested = true;
    const p = this.latest;
    if (!p || TERMINAL.has(p.status)) return;
    this.update(await cancelPrediction(p.urls.cancel));
  }

  /** @param {V1Prediction} p */
  update(p) {
    this.latest = p;
    this.onUpdate(p);
  }
}

/** @param {number} ms */
function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
