// The similarity heatmap: every text (and the query) against every other, for
// a chosen score kind, as a table whose cells are shaded by value. Scores are
// computed in the browser (scores.js) from the returned vectors and weights.
import { css, position, sequential, textOn } from './color.js';
import { el, replaceChildren, uid } from './dom.js';
import { SCORE_KINDS, missingFor } from './scores.js';

/**
 * @typedef {import('./scores.js').ScoreKind} ScoreKind
 * @typedef {import('./scores.js').ScoreMatrices} ScoreMatrices
 * @typedef {{ label: string, name: string }} Item  label: short header; name: for tooltips
 * @typedef {{ items: Item[], matrices: ScoreMatrices, serverScores?: Record<string, number[]>,
 *   onNeed: (outputs: string[]) => void }} HeatmapData
 *   serverScores: the Output's `scores`, compared with the query row (item 0)
 */

/** Beyond this many multiply-adds (a few seconds in a browser), ColBERT waits for a click. */
const AUTO_COLBERT_COST = 2e9;

const KIND_NAMES = { dense: 'Dense', sparse: 'Sparse', colbert: 'ColBERT', hybrid: 'Hybrid' };
const OUTPUT_FIELDS = /** @type {Record<string, string>} */ ({ dense: 'return_dense', sparse: 'return_sparse', colbert: 'return_colbert' });

/** @param {HeatmapData} data */
export function heatmapView(data) {
  const body = el('div', { class: 'heatmap-body' });
  const name = uid('kind');
  const initial = SCORE_KINDS.find((k) => !missingFor(data.matrices.items, k).length) ?? 'dense';
  const radios = SCORE_KINDS.map((kind) =>
    el(
      'label',
      { class: 'segment' },
      el('input', { type: 'radio', name, value: kind, checked: kind === initial, onchange: () => show(kind) }),
      el('span', {}, KIND_NAMES[kind]),
    ),
  );
  const show = (/** @type {ScoreKind} */ kind) => replaceChildren(body, kindView(data, kind));
  show(initial);
  return el(
    'section',
    { class: 'card', 'aria-labelledby': 'heatmap-title', id: 'heatmap' },
    el('h2', { id: 'heatmap-title' }, 'Similarity between texts'),
    el('fieldset', { class: 'segmented' }, el('legend', {}, 'Score'), radios),
    el(
      'p',
      { class: 'note' },
      'Each row scores as the query against each column as the passage (ColBERT and hybrid are not symmetric). ',
      "Computed in your browser from the returned vectors, with the server's formulas.",
    ),
    body,
  );
}

/** @param {HeatmapData} data @param {ScoreKind} kind */
function kindView(data, kind) {
  const missing = missingFor(data.matrices.items, kind);
  if (missing.length) return needView(kind, missing, data.onNeed);
  const cost = kind === 'colbert' || kind === 'hybrid' ? data.matrices.colbertCost() : 0;
  if (cost > AUTO_COLBERT_COST && !data.matrices.cache.has('colbert')) return costView(data, kind, cost);
  const m = data.matrices.get(kind);
  const values = m.flat();
  const [min, max] = [Math.min(...values), Math.max(...values)];
  return el(
    'div',
    {},
    el('div', { class: 'table-scroll', tabindex: 0, role: 'region', 'aria-label': `${KIND_NAMES[kind]} scores` }, matrixTable(data.items, m, kind, min, max)),
    scaleLegend(min, max),
    data.serverScores && agreement(m, data.serverScores[kind]),
  );
}

/** @param {Item[]} items @param {number[][]} m @param {ScoreKind} kind @param {number} min @param {number} max */
function matrixTable(items, m, kind, min, max) {
  return el(
    'table',
    { class: 'heatmap', 'data-kind': kind },
    el('caption', { class: 'visually-hidden' }, `${KIND_NAMES[kind]} score of each row (query side) against each column (passage side)`),
    el(
      'thead',
      {},
      el(
        'tr',
        {},
        el('td', {}),
        items.map((it) => el('th', { scope: 'col', title: it.name }, it.label)),
      ),
    ),
    el(
      'tbody',
      {},
      m.map((row, i) =>
        el(
          'tr',
          {},
          el('th', { scope: 'row', title: items[i].name }, items[i].label),
          row.map((v, j) => scoreCell(v, position(v, min, max), `${items[i].name} → ${items[j].name}`)),
        ),
      ),
    ),
  );
}

/** @param {number} value @param {number} t @param {string} what */
function scoreCell(value, t, what) {
  const bg = sequential(t);
  return el('td', { 'data-value': value, title: `${what}: ${value.toFixed(5)}`, style: { background: css(bg), color: textOn(bg) } }, value.toFixed(2));
}

/** @param {number} min @param {number} max */
function scaleLegend(min, max) {
  return el(
    'div',
    { class: 'scale', 'aria-hidden': 'true' },
    el('span', {}, min.toFixed(3)),
    el('span', { class: 'scale-bar' }),
    el('span', {}, max.toFixed(3)),
  );
}

/**
 * States how closely the browser's query row matches the server's own scores:
 * a visible check that both use the same formulas.
 * @param {number[][]} m @param {number[] | undefined} server
 */
function agreement(m, server) {
  if (!server) return null;
  const diff = Math.max(...server.map((s, j) => Math.abs(s - m[0][j + 1])));
  const ok = diff < 1e-3;
  return el(
    'p',
    { class: ok ? 'note ok' : 'note warn', 'data-agreement': diff },
    ok
      ? `The query row agrees with the server's scores (${diff === 0 ? 'exactly' : `largest difference ${diff.toExponential(1)}`}).`
      : `The query row differs from the server's scores by up to ${diff.toFixed(4)}.`,
  );
}

/** @param {HeatmapData} data @param {ScoreKind} kind @param {number} cost */
function costView(data, kind, cost) {
  const box = el(
    'div',
    { class: 'need' },
    el('p', {}, `Comparing every ColBERT vector with every other takes about ${(cost / 1e9).toFixed(0)} billion multiplications here; that can take a while.`),
    el(
      'button',
      {
        type: 'button',
        onclick: () => {
          data.matrices.get('colbert');
          replaceChildren(box, kindView(data, kind));
        },
      },
      'Compute it',
    ),
  );
  return box;
}

/** @param {ScoreKind} kind @param {string[]} missing @param {(outputs: string[]) => void} onNeed */
function needView(kind, missing, onNeed) {
  const names = missing.map((m) => OUTPUT_FIELDS[m]);
  return el(
    'div',
    { class: 'need' },
    el('p', {}, `The ${KIND_NAMES[kind]} view needs ${names.join(', ')} turned on, which this request did not ask for.`),
    el('button', { type: 'button', onclick: () => onNeed(names) }, `Run again with ${names.join(' and ')}`),
  );
}
