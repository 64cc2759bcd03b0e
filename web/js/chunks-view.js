// The Chunks view (chunk_tokens): each text with its chunks as highlighted spans, a badge at
// each chunk's start with its hybrid score against the query (the best chunk starred), and
// the chunks' table: span in code points, tokens, cut, and the four scores.
import { chunkSegments } from './chunk-spans.js';
import { css, position, sequential, textOn } from './color.js';
import { el } from './dom.js';

/** Beyond this many texts the view shows the first ones only. */
const MAX_TEXTS = 10;

/**
 * @param {string[]} texts @param {any} out the prediction's output (with `chunks`)
 * @returns {HTMLElement | false}
 */
export function chunksView(texts, out) {
  if (!Array.isArray(out.chunks)) return false;
  const best = out.scores?.best_chunk?.chunk_index;
  const hybrid = out.chunks.filter((/** @type {any} */ c) => c.scores).map((/** @type {any} */ c) => c.scores.hybrid);
  const [min, max] = [Math.min(...hybrid), Math.max(...hybrid)];
  const shown = texts.slice(0, MAX_TEXTS);
  return el(
    'section',
    { class: 'card', id: 'chunks', 'aria-labelledby': 'chunks-title' },
    el('h2', { id: 'chunks-title' }, 'Chunks'),
    el(
      'p',
      { class: 'muted' },
      hybrid.length
        ? 'Each chunk is a highlighted span, darker the better its hybrid score against the query; the badge at its start gives its number and score, ★ the best chunk of its text. Overlaps are striped.'
        : 'Each chunk is a highlighted span; the badge at its start gives its number. Give a query to score them.',
    ),
    shown.map((text, t) => {
      const chunks = out.chunks.filter((/** @type {any} */ c) => c.text_index === t);
      const color = (/** @type {any} */ c) =>
        c.scores
          ? sequential(0.15 + 0.7 * position(c.scores.hybrid, min, max))
          : /** @type {[number, number, number]} */ (c.chunk_index % 2 ? [222, 235, 247] : [253, 230, 200]);
      return el(
        'div',
        { class: 'chunked-text', 'data-text': String(t) },
        el('h3', {}, `T${t + 1}: ${chunks.length} chunk${chunks.length === 1 ? '' : 's'}`),
        el('p', { class: 'chunk-spans' }, spans(text, chunks, color, best?.[t])),
        table(chunks, best?.[t]),
      );
    }),
    texts.length > MAX_TEXTS && el('p', { class: 'note' }, `Showing the first ${MAX_TEXTS} of ${texts.length} texts; the raw JSON has them all.`),
  );
}

/** @param {string} text @param {any[]} chunks @param {(c: any) => [number, number, number]} color @param {number | undefined} best */
function spans(text, chunks, color, best) {
  const started = new Set();
  return chunkSegments(text, chunks).flatMap((seg) => {
    const holding = seg.chunks.map((i) => chunks[i]);
    const badges = holding
      .filter((c) => !started.has(c.chunk_index) && started.add(c.chunk_index))
      .map((c) =>
        el(
          'span',
          {
            class: 'chunk-badge',
            'data-chunk': String(c.chunk_index),
            title: `chunk ${c.chunk_index}: characters ${c.start}–${c.end}, ${c.token_count} tokens, cut at a ${c.cut}`,
          },
          `${c.chunk_index === best ? '★' : ''}#${c.chunk_index}${c.scores ? ` ${c.scores.hybrid.toFixed(3)}` : ''}`,
        ),
      );
    const [first, second] = holding.map(color);
    /** @type {Record<string, string>} */
    const style = !first
      ? {}
      : second
        ? { background: `repeating-linear-gradient(135deg, ${css(first)} 0 6px, ${css(second)} 6px 12px)`, color: textOn(first) }
        : { background: css(first), color: textOn(first) };
    return [...badges, el('span', { class: `chunk-seg${holding.length > 1 ? ' overlap' : ''}`, 'data-chunks': seg.chunks.join(' '), style }, seg.text)];
  });
}

/** @param {any[]} chunks @param {number | undefined} best */
function table(chunks, best) {
  const scored = chunks.some((c) => c.scores);
  const kinds = ['dense', 'sparse', 'colbert', 'hybrid'];
  return el(
    'div',
    { class: 'table-scroll' },
    el(
      'table',
      { class: 'chunk-table' },
      el(
        'thead',
        {},
        el(
          'tr',
          {},
          ['#', 'Span', 'Tokens', 'Cut', ...(scored ? kinds.map((k) => k[0].toUpperCase() + k.slice(1)) : [])].map((h) => el('th', { scope: 'col' }, h)),
        ),
      ),
      el(
        'tbody',
        {},
        chunks.map((c) =>
          el(
            'tr',
            { class: c.chunk_index === best ? 'best' : false },
            el('th', { scope: 'row' }, `${c.chunk_index === best ? '★' : ''}${c.chunk_index}`),
            el('td', {}, `${c.start}–${c.end}`),
            el('td', { class: 'num' }, String(c.token_count)),
            el('td', {}, c.cut),
            scored && kinds.map((k) => el('td', { class: 'num' }, c.scores[k].toFixed(4))),
          ),
        ),
      ),
    ),
  );
}
