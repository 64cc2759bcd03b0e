// The Rerank view: a query and passages (filled in with a multilingual example,
// so a first visit shows a ranking with one click) sent to Cohere's /v2/rerank;
// the ranked list with each passage's hybrid score and the dense, sparse and
// ColBERT scores it weighs; and the ColBERT alignment of the query with a
// chosen passage, whose vectors come from a /v1 prediction of the two texts.
import { alignmentView } from './alignment.js';
import { rerankDocuments } from './api.js';
import { el, replaceChildren, uid } from './dom.js';
import { PredictionRun } from './run-prediction.js';
import { toRows } from './scores.js';
import { excerpt } from './summary.js';
import { colbertRowLabels } from './token-labels.js';

export const EXAMPLE = {
  query: 'What is BGE-M3?',
  passages: [
    'BGE-M3 is a multilingual embedding model: one forward pass gives dense, sparse and multi-vector (ColBERT) representations.',
    'BGE-M3 est un modèle d’embeddings multilingue qui lit des textes jusqu’à 8192 tokens.',
    'Der Eiffelturm steht in Paris und ist 330 Meter hoch.',
    'BGE-M3 是一个支持一百多种语言的向量模型。',
    '今日はとても良い天気です。',
    'La paella es un plato típico de Valencia.',
  ],
};

const WEIGHT_LABELS = ['Dense weight', 'Sparse weight', 'ColBERT weight'];
const KINDS = /** @type {const} */ (['dense', 'sparse', 'colbert']);

/**
 * @param {{ weights: number[] }} opts weights: the default score_weights (schema.json's)
 * @returns {{ element: HTMLElement, button: HTMLButtonElement }}
 */
export function rerankView(opts) {
  const queryId = uid('rerank-query');
  const passagesId = uid('rerank-passages');
  const query = el('textarea', { id: queryId, rows: 2, class: 'rerank-query' });
  query.value = EXAMPLE.query;
  const passages = el('textarea', { id: passagesId, rows: EXAMPLE.passages.length + 1, class: 'rerank-passages' });
  passages.value = EXAMPLE.passages.join('\n');
  const weights = opts.weights.map((w, i) => {
    const id = uid('rerank-weight');
    const input = el('input', { id, type: 'number', min: 0, step: 'any', inputmode: 'decimal' });
    input.value = String(w);
    return { input, box: el('div', { class: 'tuple-item' }, el('label', { for: id }, WEIGHT_LABELS[i]), input) };
  });
  const button = el('button', { type: 'submit', class: 'primary', id: 'rerank-submit', disabled: true }, 'Rerank');
  const status = el('p', { class: 'rerank-status', role: 'status', id: 'rerank-status' });
  const results = el('div', { id: 'rerank-results', class: 'results', tabindex: -1, 'aria-label': 'Rerank results' });
  const form = el(
    'form',
    {
      id: 'rerank-form',
      novalidate: true,
      onsubmit: (/** @type {Event} */ ev) => {
        ev.preventDefault();
        void run();
      },
    },
    el('label', { for: queryId, class: 'field-label' }, 'Rerank query'),
    query,
    el('label', { for: passagesId, class: 'field-label' }, 'Passages, one per line'),
    passages,
    el(
      'fieldset',
      { class: 'rerank-weights' },
      el('legend', { class: 'field-label' }, 'Score weights'),
      el(
        'div',
        { class: 'tuple-row' },
        weights.map((w) => w.box),
      ),
    ),
    el('div', { class: 'button-row' }, button),
    status,
  );

  async function run() {
    const q = query.value;
    const docs = passages.value.split(/\r?\n/).filter((l) => l.trim() !== '');
    const w = weights.map((x) => Number(x.input.value));
    button.disabled = true;
    status.classList.remove('error');
    status.textContent = `Ranking ${docs.length} passage${docs.length === 1 ? '' : 's'}…`;
    replaceChildren(results);
    try {
      const reply = await rerankDocuments(q, docs, w);
      status.textContent = `Ranked ${docs.length} passage${docs.length === 1 ? '' : 's'} with weights [${reply.meta.score_weights.join(', ')}].`;
      const alignment = el('div', { class: 'rerank-alignment-slot' });
      const showAlignment = (/** @type {number} */ index) => void alignFor(alignment, q, docs[index], index);
      replaceChildren(results, rankingView(docs, reply, showAlignment), alignment);
      if (reply.results.length) showAlignment(reply.results[0].index);
      results.focus();
    } catch (err) {
      status.classList.add('error');
      status.textContent = err instanceof Error ? err.message : String(err);
    } finally {
      button.disabled = false;
    }
  }

  const element = el(
    'section',
    { class: 'card', id: 'rerank', 'aria-labelledby': 'rerank-title' },
    el('h2', { id: 'rerank-title' }, 'Rerank'),
    el(
      'p',
      { class: 'note' },
      "Ranks passages against a query by BGE-M3's hybrid score, ",
      '(w0·dense + w1·sparse + w2·colbert) / (w0 + w1 + w2), as POST /v2/rerank (Cohere), /v1/rerank (Jina) and /rerank (TEI) answer.',
    ),
    form,
    results,
  );
  return { element, button };
}

/**
 * The ranked passages, best first, with their scores and a button to align each with the query.
 * @param {string[]} docs @param {import('./api.js').RerankReply} reply @param {(index: number) => void} onAlign
 */
function rankingView(docs, reply, onAlign) {
  const cell = (/** @type {number} */ v) => el('td', { class: 'num', 'data-score': v }, v.toFixed(4));
  return el(
    'section',
    { class: 'card', id: 'rerank-ranking', 'aria-labelledby': 'rerank-ranking-title' },
    el('h2', { id: 'rerank-ranking-title' }, 'Ranking'),
    reply.meta.warnings?.map((w) => el('p', { class: 'note warn' }, w)),
    el(
      'div',
      { class: 'table-scroll', tabindex: 0, role: 'region', 'aria-label': 'Passages ranked by hybrid score' },
      el(
        'table',
        { class: 'rerank' },
        el(
          'thead',
          {},
          el(
            'tr',
            {},
            ['Rank', 'Passage', 'Hybrid', 'Dense', 'Sparse', 'ColBERT', 'Alignment'].map((h) => el('th', { scope: 'col' }, h)),
          ),
        ),
        el(
          'tbody',
          {},
          reply.results.map((r, rank) =>
            el(
              'tr',
              { 'data-index': r.index },
              el('td', { class: 'num' }, String(rank + 1)),
              el('th', { scope: 'row', class: 'excerpt' }, el('span', { class: 'muted' }, `P${r.index + 1} `), docs[r.index]),
              cell(r.relevance_score),
              KINDS.map((k) => cell(r.scores[k])),
              el('td', {}, el('button', { type: 'button', onclick: () => onAlign(r.index), 'aria-label': `Align P${r.index + 1} with the query` }, 'Align')),
            ),
          ),
        ),
      ),
    ),
  );
}

/**
 * Fetches the ColBERT vectors (and sparse weights, which name the rows) of the query and one passage, and shows their alignment.
 * @param {HTMLElement} slot @param {string} query @param {string} passage @param {number} index
 */
async function alignFor(slot, query, passage, index) {
  replaceChildren(slot, el('p', { class: 'note', role: 'status' }, `Fetching the ColBERT vectors of the query and P${index + 1}…`));
  try {
    const p = await new PredictionRun({ texts: [query, passage], return_dense: false, return_sparse: true, return_colbert: true }).run();
    if (p.status !== 'succeeded') throw new Error(p.error ?? `the prediction ended ${p.status}`);
    const out = p.output;
    const side = (/** @type {number} */ i, /** @type {string} */ label, /** @type {string} */ text) => {
      const rows = toRows(out.colbert_vecs[i]);
      const { labels, fromTokens } = colbertRowLabels({
        text,
        rows: rows.rows,
        truncated: out.truncated[i],
        weights: out.lexical_weights[i],
        tokens: out.lexical_tokens,
      });
      return { key: label, label, name: excerpt(text, 50), rows, labels, fromTokens };
    };
    const view = alignmentView({ queries: [side(0, 'Q', query)], passages: [side(1, `P${index + 1}`, passage)], initialPassage: 0 });
    // The Embed results have their own #alignment.
    view.id = 'rerank-alignment';
    view.setAttribute('aria-labelledby', 'rerank-alignment-title');
    const title = view.querySelector('h2');
    if (title) title.id = 'rerank-alignment-title';
    replaceChildren(slot, view);
  } catch (err) {
    replaceChildren(
      slot,
      el('p', { class: 'note warn', role: 'alert' }, `The alignment could not be shown: ${err instanceof Error ? err.message : String(err)}`),
    );
  }
}
