// Lays out every view of a finished prediction. `queryOutput` is the output of
// a second, one-text request for the query alone: the main output scores the
// texts against the query but carries no vectors of the query itself, which
// the heatmap's query row and the alignment need.
import { alignmentView } from './alignment.js';
import { chunksView } from './chunks-view.js';
import { denseStripsView } from './dense-strip.js';
import { el, replaceChildren } from './dom.js';
import { heatmapView } from './heatmap.js';
import { viewableOutput } from './output-shapes.js';
import { rawView } from './raw-json.js';
import { ScoreMatrices, embeddedText, toRows } from './scores.js';
import { excerpt, summaryView } from './summary.js';
import { colbertRowLabels } from './token-labels.js';
import { tokenChipsView } from './token-chips.js';

/** Beyond this many texts the heatmap, chips and strips show the first ones only. */
const MAX_HEATMAP_ITEMS = 40;
const MAX_LISTED = 50;

/**
 * @typedef {{ input: Record<string, unknown>, texts: string[], query?: string, maxLength: number,
 *   weights: number[], prediction: import('./api.js').V1Prediction, queryOutput?: any,
 *   onNeed: (fields: string[]) => void }} ResultData
 * @typedef {{ label: string, name: string, text: string, output: any, index: number, tokens: number,
 *   truncated: boolean }} Entry  one text (or the query) and the output it sits in
 */

/** @param {HTMLElement} root @param {ResultData} d */
export function renderResults(root, d) {
  const format = /** @type {string | undefined} */ (d.input.sparse_format);
  const type = /** @type {string | undefined} */ (d.input.vector_type);
  const out = viewableOutput(d.prediction.output, format, type);
  const queryOutput = viewableOutput(d.queryOutput, format, type);
  const texts = d.texts.map((text, i) => entry(`T${i + 1}`, text, out, i));
  const query = d.query !== undefined && queryOutput ? entry('Q', d.query, queryOutput, 0) : undefined;
  const all = query ? [query, ...texts] : texts;
  replaceChildren(
    root,
    summaryView(
      all.map((e) => ({ label: e.label, text: e.text, tokens: e.tokens, truncated: e.truncated })),
      d.maxLength,
    ),
    chunksView(d.texts, d.prediction.output),
    heatmap(all, query, d),
    out.lexical_weights &&
      firstOnes(
        tokenChipsView(
          listed(all, 'lexical_weights').map((e) => ({
            label: e.label,
            name: excerpt(e.text, 60),
            weights: e.output.lexical_weights[e.index],
          })),
          { ...out.lexical_tokens, ...queryOutput?.lexical_tokens },
        ),
        all.length,
      ),
    alignment(all, query, d),
    out.dense_vecs &&
      firstOnes(
        denseStripsView(
          listed(all, 'dense_vecs').map((e) => ({
            label: e.label,
            name: excerpt(e.text, 60),
            vector: e.output.dense_vecs[e.index],
          })),
        ),
        all.length,
      ),
    rawView(d.prediction, d.input),
  );
}

/** The entries whose output holds `field`, at most MAX_LISTED. @param {Entry[]} all @param {string} field */
function listed(all, field) {
  return all.filter((e) => e.output[field]).slice(0, MAX_LISTED);
}

/** Notes under a view that it lists only the first entries. @param {HTMLElement} view @param {number} total */
function firstOnes(view, total) {
  if (total > MAX_LISTED) view.append(el('p', { class: 'note' }, `Showing the first ${MAX_LISTED} of ${total}; the raw JSON has them all.`));
  return view;
}

/** @param {string} label @param {string} text @param {any} output @param {number} index @returns {Entry} */
function entry(label, text, output, index) {
  return { label, name: `${label}: ${excerpt(text, 60)}`, text, output, index, tokens: output.token_counts[index], truncated: output.truncated[index] };
}

/** @param {Entry[]} all @param {Entry | undefined} query @param {ResultData} d */
function heatmap(all, query, d) {
  const items = all.slice(0, MAX_HEATMAP_ITEMS);
  const embedded = items.map((e) => embeddedText(e.output, e.index));
  const view = heatmapView({
    items: items.map((e) => ({ label: e.label, name: e.name })),
    matrices: new ScoreMatrices(embedded, d.weights),
    serverScores: query && items.length === all.length ? d.prediction.output.scores : undefined,
    onNeed: d.onNeed,
  });
  if (items.length < all.length) view.append(el('p', { class: 'note' }, `Showing the first ${items.length} of ${all.length}.`));
  return view;
}

/** @param {Entry[]} all @param {Entry | undefined} query @param {ResultData} d */
function alignment(all, query, d) {
  const withRows = all.filter((e) => e.output.colbert_vecs);
  const passages = withRows.filter((e) => e !== query);
  if (!passages.length || withRows.length < 2) return colbertNeeded(d, passages.length === 0);
  const side = (/** @type {Entry} */ e) => {
    const rows = toRows(e.output.colbert_vecs[e.index]);
    const { labels, fromTokens } = colbertRowLabels({
      text: e.text,
      rows: rows.rows,
      truncated: e.truncated,
      weights: e.output.lexical_weights?.[e.index],
      tokens: e.output.lexical_tokens,
    });
    return {
      key: e.label,
      label: e.label,
      name: excerpt(e.text, 50),
      rows,
      labels,
      fromTokens,
      serverScore: e === query ? d.prediction.output.scores?.colbert : undefined,
    };
  };
  const scores = d.prediction.output.scores?.colbert;
  return alignmentView({
    queries: withRows.map(side),
    passages: passages.map(side),
    initialPassage: query && scores ? argmax(scores) : Math.min(1, passages.length - 1),
  });
}

/** @param {ResultData} d @param {boolean} missing */
function colbertNeeded(d, missing) {
  return el(
    'section',
    { class: 'card', id: 'alignment', 'aria-labelledby': 'alignment-title' },
    el('h2', { id: 'alignment-title' }, 'ColBERT alignment (MaxSim)'),
    missing
      ? el(
          'div',
          { class: 'need' },
          el('p', {}, 'The alignment needs ColBERT vectors (return_colbert), which this request did not ask for.'),
          el('button', { type: 'button', onclick: () => d.onNeed(['return_colbert']) }, 'Run again with return_colbert'),
        )
      : el('p', {}, 'Give a query, or at least two texts, to see which tokens match.'),
  );
}

/** @param {number[]} xs */
function argmax(xs) {
  return xs.reduce((best, x, i) => (x > xs[best] ? i : best), 0);
}
