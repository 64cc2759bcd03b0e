// Dense vectors as compact strips: one thin column per dimension, red for
// negative and blue for positive, scaled to the vector's largest magnitude;
// each with a button that copies the numbers as JSON.
import { copyButton } from './clipboard.js';
import { css, diverging } from './color.js';
import { el } from './dom.js';

/** @param {{ label: string, name: string, vector: number[] }[]} texts */
export function denseStripsView(texts) {
  return el(
    'section',
    { class: 'card', id: 'dense', 'aria-labelledby': 'dense-title' },
    el('h2', { id: 'dense-title' }, 'Dense vectors'),
    el('p', { class: 'note' }, "One column per dimension; red is negative, blue positive, white near zero (scaled to each vector's largest value)."),
    el(
      'ul',
      { class: 'strips' },
      texts.map((t) => strip(t.label, t.name, t.vector)),
    ),
  );
}

/** @param {string} label @param {string} name @param {number[]} vector */
function strip(label, name, vector) {
  const maxAbs = vector.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
  const norm = Math.sqrt(vector.reduce((s, v) => s + v * v, 0));
  const canvas = el('canvas', {
    width: vector.length,
    height: 1,
    class: 'strip',
    role: 'img',
    'aria-label': `${label}: ${vector.length} dimensions, values from ${Math.min(...vector).toFixed(3)} to ${Math.max(...vector).toFixed(3)}`,
  });
  const ctx = canvas.getContext('2d');
  vector.forEach((v, i) => {
    if (!ctx) return;
    ctx.fillStyle = css(diverging(maxAbs > 0 ? v / maxAbs : 0));
    ctx.fillRect(i, 0, 1, 1);
  });
  return el(
    'li',
    { class: 'strip-row' },
    el(
      'div',
      { class: 'strip-head' },
      el('span', {}, el('strong', {}, label), el('span', { class: 'muted' }, ` ${name}`)),
      el('span', { class: 'muted' }, `${vector.length} dims, norm ${norm.toFixed(3)}`),
      copyButton(() => JSON.stringify(vector), `Copy vector`, `Copy the dense vector of ${label}`),
    ),
    canvas,
  );
}
