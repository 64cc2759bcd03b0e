// The raw prediction JSON (collapsed; filled in when opened, since ColBERT
// outputs can be large) and the "copy as curl" command for the same input.
import { storedKey } from './api-key.js';
import { copyButton } from './clipboard.js';
import { curlCommand } from './curl.js';
import { el } from './dom.js';

const MAX_SHOWN_CHARS = 2_000_000;

/** @param {unknown} prediction @param {Record<string, unknown>} input */
export function rawView(prediction, input) {
  const pre = el('pre', { class: 'raw', tabindex: 0, 'aria-label': 'Raw JSON' });
  const json = () => JSON.stringify(prediction, null, 2);
  const details = el('details', { class: 'raw-details' }, el('summary', {}, 'Raw JSON of the prediction'), pre);
  details.addEventListener('toggle', () => {
    if (!details.open || pre.textContent) return;
    const text = json();
    pre.textContent =
      text.length > MAX_SHOWN_CHARS ? `${text.slice(0, MAX_SHOWN_CHARS)}\n… (${text.length - MAX_SHOWN_CHARS} more characters: use Copy JSON)` : text;
  });
  const curl = curlCommand(new URL('..', location.href).href, input, storedKey() !== null);
  return el(
    'section',
    { class: 'card', id: 'raw', 'aria-labelledby': 'raw-title' },
    el('h2', { id: 'raw-title' }, 'Raw output and curl'),
    el(
      'div',
      { class: 'button-row' },
      copyButton(json, 'Copy JSON'),
      copyButton(() => curl, 'Copy as curl'),
    ),
    el(
      'details',
      { class: 'raw-details' },
      el('summary', {}, 'curl command (the same input, sent to the synchronous POST /predictions)'),
      el('pre', { class: 'raw', tabindex: 0, id: 'curl-command', 'aria-label': 'curl command' }, curl),
    ),
    details,
  );
}
