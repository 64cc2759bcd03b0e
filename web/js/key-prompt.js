// The dialog that asks for an API key when the server answers 401. It
// resolves with what was typed, or null on Cancel / Escape.
import { byId } from './dom.js';

const FIRST = 'This server needs an API key to run predictions. It is kept in this tab only (until the tab closes) and sent as "Authorization: Bearer".';
const AGAIN = 'The server did not accept that key. Enter another, or Cancel.';

/** @param {boolean} rejected a key was sent and refused @returns {Promise<string | null>} */
export function askForKey(rejected) {
  const dialog = /** @type {HTMLDialogElement} */ (byId('key-dialog'));
  const form = /** @type {HTMLFormElement} */ (byId('key-form'));
  const input = /** @type {HTMLInputElement} */ (byId('api-key'));
  byId('key-message').textContent = rejected ? AGAIN : FIRST;
  input.value = '';
  return new Promise((resolve) => {
    /** @param {SubmitEvent} ev */
    const onSubmit = (ev) => {
      ev.preventDefault();
      if (!input.value.trim()) return input.focus();
      finish(input.value);
    };
    const onClose = () => finish(null);
    /** @param {string | null} value */
    const finish = (value) => {
      form.removeEventListener('submit', onSubmit);
      byId('key-cancel').removeEventListener('click', onClose);
      dialog.removeEventListener('close', onClose);
      if (dialog.open) dialog.close();
      input.value = '';
      resolve(value);
    };
    form.addEventListener('submit', onSubmit);
    byId('key-cancel').addEventListener('click', onClose);
    dialog.addEventListener('close', onClose);
    dialog.showModal();
    input.focus();
  });
}
