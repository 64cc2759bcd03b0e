// The playground's entry point: reads the server's health and OpenAPI schema,
// builds the Rerank view and the form, runs predictions through the /v1 routes
// and shows results.
import { ApiError, getHealth, getOpenApi } from './api.js';
import { setKeyPrompt } from './api-key.js';
import { byId, el, replaceChildren } from './dom.js';
import { findBanners, readiness } from './health.js';
import { askForKey } from './key-prompt.js';
import { ProgressView } from './progress-view.js';
import { renderResults } from './results.js';
import { rerankView } from './rerank-view.js';
import { PredictionRun } from './run-prediction.js';
import { SchemaForm } from './schema-form.js';

/** @typedef {import('./api.js').V1Prediction} V1Prediction */

const HEALTH_POLL_MS = 1000;

/** @type {PredictionRun | null} */
let current = null;
/** Buttons beside Embed that stay off until the model has loaded. @type {HTMLButtonElement[]} */
const modelButtons = [];

async function boot() {
  setKeyPrompt(askForKey);
  const formEl = /** @type {HTMLFormElement} */ (byId('predict-form'));
  const progress = new ProgressView(byId('run'), () => void current?.cancel().catch(showError));
  try {
    const [openapi, health] = await Promise.all([getOpenApi(), getHealth()]);
    showBanners([...findBanners(health), ...findBanners(openapi?.info)]);
    const form = new SchemaForm(openapi);
    replaceChildren(
      byId('fields'),
      form.fields.map((f) => f.element),
    );
    const rerank = rerankView({ weights: /** @type {number[]} */ (form.props.score_weights?.default ?? [0.4, 0.2, 0.4]) });
    replaceChildren(byId('rerank-slot'), rerank.element);
    modelButtons.push(rerank.button);
    formEl.addEventListener('submit', (ev) => {
      ev.preventDefault();
      void submit(form, progress);
    });
    await waitUntilReady(health);
  } catch (err) {
    showError(err);
  }
}

/** Keeps the submit button off until the model has loaded. @param {any} health */
async function waitUntilReady(health) {
  const submitButton = /** @type {HTMLButtonElement} */ (byId('submit'));
  const note = byId('health');
  for (;;) {
    const state = readiness(health);
    note.textContent = state.message;
    note.hidden = state.message === '';
    submitButton.disabled = !state.ready;
    for (const b of modelButtons) b.disabled = !state.ready;
    if (state.ready || !state.waiting) return;
    await new Promise((resolve) => setTimeout(resolve, HEALTH_POLL_MS));
    health = await getHealth();
  }
}

/** @param {SchemaForm} form @param {ProgressView} progress */
async function submit(form, progress) {
  const submitButton = /** @type {HTMLButtonElement} */ (byId('submit'));
  const formErrors = byId('form-errors');
  form.clearIssues();
  formErrors.hidden = true;
  const input = form.read();
  submitButton.disabled = true;
  replaceChildren(byId('results'));
  progress.begin('Sending…');
  try {
    const prediction = await runOnce(input, progress);
    if (prediction.status !== 'succeeded') return progress.end(prediction);
    // The server's copy of the input has its defaults filled in.
    const used = { ...defaultsOf(form), ...prediction.input, ...input };
    const query = typeof used.query === 'string' ? used.query : undefined;
    let queryOutput;
    if (query !== undefined) {
      progress.say('Embedding the query on its own, for its vectors…');
      const q = await runOnce(queryInput(used, query), progress, false);
      if (q.status !== 'succeeded') return progress.end(q);
      queryOutput = q.output;
    }
    progress.end(prediction);
    renderResults(byId('results'), {
      input,
      prediction,
      queryOutput,
      query,
      texts: /** @type {string[]} */ (used.texts),
      maxLength: Number(used.max_length),
      weights: /** @type {number[]} */ (used.score_weights),
      onNeed: (fields) => rerunWith(form, fields),
    });
    byId('results').focus();
  } catch (err) {
    progress.fail(errorMessage(err));
    if (err instanceof ApiError && err.issues.length) showFormErrors(form.showIssues(err.issues));
  } finally {
    current = null;
    submitButton.disabled = false;
  }
}

/**
 * @param {Record<string, unknown>} input @param {ProgressView} progress
 * @param {boolean} [report] show this run's status and logs
 * @returns {Promise<V1Prediction>}
 */
function runOnce(input, progress, report = true) {
  current = new PredictionRun(input, (p) => {
    if (report || p.status === 'failed') progress.update(p);
  });
  return current.run();
}

/**
 * The query alone, with the same max_length, outputs and output shapes as the main request.
 * @param {Record<string, unknown>} used the main request's input, defaults filled in
 * @param {string} query
 */
function queryInput(used, query) {
  const { max_length, return_dense, return_sparse, return_colbert, sparse_format, vector_encoding, vector_type } = used;
  return { texts: [query], max_length, return_dense, return_sparse, return_colbert, sparse_format, vector_encoding, vector_type };
}

/** The schema's default of every input that has one. @param {SchemaForm} form */
function defaultsOf(form) {
  /** @type {Record<string, unknown>} */
  const out = {};
  for (const [name, prop] of Object.entries(form.props)) if (prop.default !== undefined) out[name] = prop.default;
  return out;
}

/** Turns the named return_* options on and submits again. @param {SchemaForm} form @param {string[]} fields */
function rerunWith(form, fields) {
  for (const name of fields) form.field(name)?.set(true);
  /** @type {HTMLFormElement} */ (byId('predict-form')).requestSubmit();
}

/** @param {string[]} messages */
function showFormErrors(messages) {
  const box = byId('form-errors');
  box.hidden = messages.length === 0;
  replaceChildren(
    box,
    messages.length
      ? el(
          'ul',
          {},
          messages.map((m) => el('li', {}, m)),
        )
      : null,
  );
}

/** @param {string[]} banners */
function showBanners(banners) {
  const box = byId('banner');
  box.hidden = banners.length === 0;
  replaceChildren(
    box,
    banners.map((b) => el('p', {}, b)),
  );
}

/** @param {unknown} err */
function errorMessage(err) {
  return err instanceof Error ? err.message : String(err);
}

/** @param {unknown} err */
function showError(err) {
  const box = byId('fatal');
  box.hidden = false;
  box.textContent = errorMessage(err);
}

void boot();
