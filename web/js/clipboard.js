// Copy to the clipboard, with a fallback for pages that are not a secure
// context (the Clipboard API needs https or localhost).
import { el } from './dom.js';

/** @param {string} text @returns {Promise<void>} */
export async function copyText(text) {
  if (navigator.clipboard && window.isSecureContext) {
    try {
      await navigator.clipboard.writeText(text);
      return;
    } catch {
      // Permission denied (e.g. headless browsers): fall through.
    }
  }
  const area = el('textarea', { class: 'offscreen', readonly: true, 'aria-hidden': 'true' });
  area.value = text;
  document.body.append(area);
  area.select();
  const ok = document.execCommand('copy');
  area.remove();
  if (!ok) throw new Error('The browser refused to copy; select the text and copy it by hand.');
}

/**
 * A button that copies `getText()` and says so next to itself for a moment.
 * @param {() => string} getText @param {string} label @param {string} [ariaLabel]
 */
export function copyButton(getText, label, ariaLabel) {
  const button = el('button', { type: 'button', class: 'copy', 'aria-label': ariaLabel ?? false });
  const status = el('span', { class: 'copy-status', role: 'status' });
  button.append(label);
  button.addEventListener('click', async () => {
    const text = getText();
    try {
      await copyText(text);
      status.textContent = 'Copied';
    } catch (err) {
      status.textContent = err instanceof Error ? err.message : String(err);
    }
    setTimeout(() => {
      status.textContent = '';
    }, 2000);
  });
  return el('span', { class: 'copy-wrap' }, button, status);
}
