// Token counts per text, with a visible warning on each truncated text.
import { el } from './dom.js';

/**
 * @typedef {{ label: string, text: string, tokens: number, truncated: boolean }} SummaryRow
 */

/** @param {SummaryRow[]} rows @param {number} maxLength the max_length used */
export function summaryView(rows, maxLength) {
  const cut = rows.filter((r) => r.truncated).length;
  // Below 3, <s> and </s> still remain (schema.json, max_length).
  const kept = Math.max(2, maxLength);
  return el(
    'section',
    { class: 'card', id: 'summary', 'aria-labelledby': 'summary-title' },
    el('h2', { id: 'summary-title' }, 'Texts and token counts'),
    cut > 0 &&
      el(
        'p',
        { class: 'warning', role: 'alert' },
        `⚠ ${cut} of ${rows.length} inputs were longer than max_length and were cut to ${kept} tokens: their first ${kept - 2}, plus <s> and </s>.`,
      ),
    el(
      'div',
      { class: 'table-scroll' },
      el(
        'table',
        { class: 'summary' },
        el('thead', {}, el('tr', {}, el('th', { scope: 'col' }, '#'), el('th', { scope: 'col' }, 'Text'), el('th', { scope: 'col', class: 'num' }, 'Tokens'))),
        el(
          'tbody',
          {},
          rows.map((r) =>
            el(
              'tr',
              { class: r.truncated ? 'truncated' : false },
              el('th', { scope: 'row' }, r.label),
              el('td', { class: 'excerpt' }, excerpt(r.text)),
              el('td', { class: 'num' }, String(r.tokens), r.truncated && el('span', { class: 'badge-warn' }, ' ⚠ truncated')),
            ),
          ),
        ),
      ),
    ),
  );
}

/** @param {string} text */
export function excerpt(text, max = 120) {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat || '(empty)';
}
