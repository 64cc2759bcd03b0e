// Names for a text's ColBERT rows. The output gives one row per token after
// <s> (the last row is </s>) but no token strings. The sparse output does name
// tokens (lexical_tokens, decoded text as FlagEmbedding's convert_id_to_token
// gives it: no ▁ word-start marks), as a set without positions. When every
// content token has its own sparse entry and those strings spell out the text
// (whitespace aside) in exactly one order, that order names the rows;
// otherwise rows keep their positions. A label is never guessed. No DOM here:
// the Node tests import it.

const STEP_BUDGET = 20000;

/**
 * @typedef {{ labels: string[], fromTokens: boolean }} RowLabels
 */

/**
 * @param {{ text: string, rows: number, truncated: boolean,
 *   weights?: Record<string, number>, tokens?: Record<string, string> }} t
 *   `weights`: the text's lexical_weights; `tokens`: the output's lexical_tokens
 * @returns {RowLabels}
 */
export function colbertRowLabels(t) {
  const positions = Array.from({ length: t.rows }, (_, r) => (r === t.rows - 1 ? '</s>' : String(r + 1)));
  const order = t.truncated ? null : tokenOrder(t.text, t.rows - 1, t.weights, t.tokens);
  if (!order) return { labels: positions, fromTokens: false };
  return { labels: [...order, '</s>'], fromTokens: true };
}

/**
 * The token strings in text order, or null when that order is not certain.
 * @param {string} text @param {number} count tokens between <s> and </s>
 * @param {Record<string, number> | undefined} weights @param {Record<string, string> | undefined} tokens
 * @returns {string[] | null}
 */
export function tokenOrder(text, count, weights, tokens) {
  if (!weights || !tokens || count <= 0) return null;
  const ids = Object.keys(weights);
  // Fewer ids than tokens: some token repeats or has no positive weight, so its place is unknown.
  if (ids.length !== count || ids.some((id) => typeof tokens[id] !== 'string')) return null;
  const surfaces = ids.map((id) => tokens[id]);
  const pieces = surfaces.map(squash);
  // A token that is only a word-start mark decodes to "": its place cannot be told.
  if (pieces.some((p) => p === '')) return null;
  const found = uniqueSpelling(squash(text), pieces);
  return found ? found.map((i) => surfaces[i]) : null;
}

/** NFKC (as the tokenizer normalizes), without whitespace or ▁. @param {string} s */
function squash(s) {
  return s.normalize('NFKC').replace(/[\s\u2581]+/gu, '');
}

/**
 * The one order of `pieces` (each used once) whose concatenation is `target`;
 * null when there is none, more than one, or the search runs too long.
 * @param {string} target @param {string[]} pieces @returns {number[] | null}
 */
function uniqueSpelling(target, pieces) {
  const used = new Array(pieces.length).fill(false);
  /** @type {number[]} */
  const path = [];
  /** @type {number[] | null} */
  let solution = null;
  let solutions = 0;
  let steps = 0;

  /** @param {number} pos @returns {boolean} false to stop searching */
  function search(pos) {
    if (++steps > STEP_BUDGET) return false;
    if (pos === target.length) {
      if (path.length !== pieces.length) return true;
      solutions += 1;
      solution = [...path];
      return solutions < 2;
    }
    for (let i = 0; i < pieces.length; i++) {
      if (used[i] || !target.startsWith(pieces[i], pos)) continue;
      used[i] = true;
      path.push(i);
      const go = search(pos + pieces[i].length);
      path.pop();
      used[i] = false;
      if (!go) return false;
    }
    return true;
  }

  const finished = search(0);
  return finished && solutions === 1 ? solution : null;
}
