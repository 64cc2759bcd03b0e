// ColBERT's MaxSim, made visible: for a query-side text and a passage, which
// passage token each query token matched best, and how strongly. The table is
// the readable (and accessible) form; the matrix picture shows all the
// similarities with each row's best match outlined.
import { css, position, sequential, textOn } from './color.js';
import { el, replaceChildren, uid } from './dom.js';
import { bestPerRow, rowSimilarities } from './scores.js';

/**
 * @typedef {import('./scores.js').Rows} Rows
 * @typedef {{ key: string, label: string, name: string, rows: Rows, labels: string[], fromTokens: boolean,
 *   serverScore?: number[] }} Side
 *   serverScore: for the query, the server's scores.colbert per passage
 */

const MAX_TABLE_ROWS = 300;
const MAX_PICTURE_CELLS = 2_000_000;
/** Beyond this many multiply-adds (a few seconds in a browser), the alignment waits for a click. */
const AUTO_COST = 2e9;

/**
 * @param {{ queries: Side[], passages: Side[], initialPassage: number }} data
 *   queries: candidates for the query side (the query first, when given)
 */
export function alignmentView(data) {
  const body = el('div', { class: 'alignment-body', 'aria-live': 'polite' });
  const qSelect = sideSelect(data.queries, 0);
  const pSelect = sideSelect(data.passages, data.initialPassage);
  const render = () => replaceChildren(body, pairView(data.queries[qSelect.selectedIndex], data.passages[pSelect.selectedIndex], pSelect.selectedIndex));
  qSelect.addEventListener('change', render);
  pSelect.addEventListener('change', render);
  render();
  return el(
    'section',
    { class: 'card', id: 'alignment', 'aria-labelledby': 'alignment-title' },
    el('h2', { id: 'alignment-title' }, 'ColBERT alignment (MaxSim)'),
    el('div', { class: 'pickers' }, labelled('Query side', qSelect), labelled('Passage', pSelect)),
    el(
      'p',
      { class: 'note' },
      'ColBERT gives one vector per token after <s>; the last one is </s>. ',
      "The output names no token per vector, so rows are numbered by position. Where a text's sparse tokens spell it out in exactly one order, ",
      'the positions are named by those tokens instead (shown in quotes); otherwise they stay numbers.',
    ),
    body,
  );
}

/** @param {Side[]} sides @param {number} selected */
function sideSelect(sides, selected) {
  return el(
    'select',
    { id: uid('side') },
    sides.map((s, i) => el('option', { value: s.key, selected: i === selected }, `${s.label}: ${s.name}`)),
  );
}

/** @param {string} text @param {HTMLSelectElement} select */
function labelled(text, select) {
  return el('div', { class: 'picker' }, el('label', { for: select.id }, text), select);
}

/** @param {Side} q @param {Side} p @param {number} passageIndex @param {boolean} [confirmed] */
function pairView(q, p, passageIndex, confirmed = false) {
  const cost = q.rows.rows * p.rows.rows * q.rows.dim;
  if (cost > AUTO_COST && !confirmed) {
    const box = el(
      'div',
      { class: 'need' },
      el(
        'p',
        {},
        `Aligning ${q.rows.rows} by ${p.rows.rows} vectors takes about ${(cost / 1e9).toFixed(0)} billion multiplications here; that can take a while.`,
      ),
      el('button', { type: 'button', onclick: () => replaceChildren(box, pairView(q, p, passageIndex, true)) }, 'Align them'),
    );
    return box;
  }
  const sims = rowSimilarities(q.rows, p.rows);
  const matches = bestPerRow(sims);
  const score = matches.length ? matches.reduce((s, m) => s + m.score, 0) / matches.length : 0;
  const server = q.serverScore?.[passageIndex];
  return el(
    'div',
    {},
    el(
      'p',
      { class: 'alignment-score' },
      `ColBERT score = mean of the best matches = `,
      el('strong', { 'data-score': score }, score.toFixed(4)),
      server !== undefined && ` (the server computed ${server.toFixed(4)})`,
    ),
    matchTable(q, p, matches),
    picture(q, p, sims, matches),
  );
}

/** @param {Side} side @param {number} row */
function rowName(side, row) {
  const label = side.labels[row];
  return side.fromTokens && row < side.labels.length - 1 ? `“${label}”` : label === '</s>' ? label : `#${label}`;
}

/** @param {Side} q @param {Side} p @param {{ best: number, score: number }[]} matches */
function matchTable(q, p, matches) {
  const shown = matches.slice(0, MAX_TABLE_ROWS);
  return el(
    'div',
    { class: 'table-scroll', tabindex: 0, role: 'region', 'aria-label': 'Best passage token for each query token' },
    el(
      'table',
      { class: 'alignment' },
      el(
        'thead',
        {},
        el(
          'tr',
          {},
          el('th', { scope: 'col' }, `${q.label} token`),
          el('th', { scope: 'col' }, `best ${p.label} token`),
          el('th', { scope: 'col' }, 'similarity'),
        ),
      ),
      el(
        'tbody',
        {},
        shown.map((m, i) =>
          el(
            'tr',
            { 'data-best': m.best },
            el('th', { scope: 'row' }, rowName(q, i)),
            el('td', {}, m.best < 0 ? '—' : rowName(p, m.best)),
            el('td', {}, bar(m.score)),
          ),
        ),
      ),
    ),
    matches.length > shown.length && el('p', { class: 'muted' }, `First ${shown.length} of ${matches.length} rows.`),
  );
}

/** A bar for a similarity in [-1, 1]. @param {number} score */
function bar(score) {
  const width = `${Math.max(0, Math.min(1, (score + 1) / 2)) * 100}%`;
  return el(
    'span',
    { class: 'bar' },
    el('span', { class: 'bar-track', 'aria-hidden': 'true' }, el('span', { class: 'bar-fill', style: { width } })),
    el('span', { class: 'bar-value' }, score.toFixed(3)),
  );
}

/** @param {Side} q @param {Side} p @param {Float64Array[]} sims @param {{ best: number }[]} matches */
function picture(q, p, sims, matches) {
  const cells = q.rows.rows * p.rows.rows;
  if (!cells || cells > MAX_PICTURE_CELLS) return null;
  const size = Math.max(2, Math.min(18, Math.floor(640 / Math.max(p.rows.rows, q.rows.rows))));
  const canvas = el('canvas', { width: p.rows.rows * size, height: q.rows.rows * size, class: 'match-picture' });
  const ctx = canvas.getContext('2d');
  if (!ctx) return null;
  let [min, max] = [Infinity, -Infinity];
  for (const row of sims) for (const s of row) [min, max] = [Math.min(min, s), Math.max(max, s)];
  const shade = (/** @type {number} */ s) => sequential(position(s, min, max));
  sims.forEach((row, i) =>
    row.forEach((s, j) => {
      ctx.fillStyle = css(shade(s));
      ctx.fillRect(j * size, i * size, size, size);
    }),
  );
  ctx.lineWidth = Math.max(1, size / 6);
  matches.forEach((m, i) => {
    if (m.best < 0) return;
    const bg = shade(sims[i][m.best]);
    ctx.strokeStyle = textOn(bg) === '#fff' ? '#ffd24d' : '#b00020';
    ctx.strokeRect(m.best * size + ctx.lineWidth / 2, i * size + ctx.lineWidth / 2, size - ctx.lineWidth, size - ctx.lineWidth);
  });
  return el(
    'figure',
    { class: 'picture' },
    canvas,
    el(
      'figcaption',
      {},
      `Rows: ${q.label} tokens; columns: ${p.label} tokens; outlined: each row's best match. `,
      `Shade from lightest (${min.toFixed(3)}) to darkest (${max.toFixed(3)}): the lowest and highest similarity in this picture.`,
    ),
  );
}
