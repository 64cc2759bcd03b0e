// Each text's sparse (lexical) weights as its tokens, heaviest first, shaded
// by weight; the number shows on hover and on keyboard focus.
import { css, sequential, textOn } from './color.js';
import { el } from './dom.js';

const MAX_CHIPS = 200;

/**
 * @typedef {{ label: string, name: string, weights: Record<string, number> }} ChipText
 */

/**
 * @param {ChipText[]} texts
 * @param {Record<string, string>} tokens the output's lexical_tokens
 */
export function tokenChipsView(texts, tokens) {
  return el(
    'section',
    { class: 'card', id: 'sparse', 'aria-labelledby': 'sparse-title' },
    el('h2', { id: 'sparse-title' }, 'Sparse weights as tokens'),
    el(
      'p',
      { class: 'note' },
      'Each token with a positive weight, heaviest first; darker means heavier within its text. ',
      'Hover or focus a token for its weight and id. Tokens read as lexical_tokens gives them (decoded, so without the ▁ that marks a word start); ',
      'the bare word-start token, which decodes to nothing, shows as ▁.',
    ),
    texts.map((t) => textChips(t, tokens)),
  );
}

/** @param {ChipText} t @param {Record<string, string>} tokens */
function textChips(t, tokens) {
  const entries = Object.entries(t.weights).sort((a, b) => b[1] - a[1]);
  const max = entries[0]?.[1] ?? 0;
  const shown = entries.slice(0, MAX_CHIPS);
  return el(
    'div',
    { class: 'chips-block' },
    el('h3', {}, t.label, el('span', { class: 'muted' }, ` ${t.name}`)),
    entries.length
      ? el(
          'ul',
          { class: 'chips', 'aria-label': `Sparse tokens of ${t.label}` },
          shown.map(([id, w]) => chip(id, tokens[id], w, max)),
        )
      : el('p', { class: 'muted' }, 'No token has a positive weight.'),
    entries.length > shown.length && el('p', { class: 'muted' }, `…and ${entries.length - shown.length} lighter tokens (see the raw JSON).`),
  );
}

/** @param {string} id @param {string | undefined} token @param {number} weight @param {number} max */
function chip(id, token, weight, max) {
  const bg = sequential(max > 0 ? 0.15 + 0.85 * (weight / max) : 0);
  const detail = `weight ${weight.toFixed(4)}, id ${id}`;
  const shown = token === undefined ? `#${id}` : token === '' ? '▁' : token;
  const spoken = token === '' ? 'word start' : shown;
  return el(
    'li',
    {
      class: token === '' ? 'chip chip-mark' : 'chip',
      tabindex: 0,
      'data-token-id': id,
      'data-weight': weight,
      'data-tip': detail,
      'aria-label': `${spoken}: ${detail}`,
      style: { background: css(bg), color: textOn(bg) },
    },
    shown,
  );
}
