// The list editor for an array-of-strings input (`texts`): one box per item,
// add and remove buttons, and a paste area that adds many lines at once.
import { el, uid } from './dom.js';
import { describeBlock, describedIds, title } from './field-shell.js';

/**
 * @typedef {import('./field-shell.js').Field} Field
 * @typedef {import('./field-shell.js').FieldSpec} FieldSpec
 */

/** @param {FieldSpec} spec @returns {Field} */
export function createTextsEditor(spec) {
  const id = uid(`f-${spec.name}`);
  const ids = describedIds(id);
  const noun = spec.name === 'texts' ? 'text' : 'item';
  const list = el('ol', { class: 'texts-list', 'aria-labelledby': `${id}-legend` });
  const count = el('span', { class: 'texts-count', 'aria-live': 'polite' });
  const error = el('p', { id: ids.error, class: 'field-error', role: 'alert', hidden: true });
  const max = spec.prop.maxItems ?? Infinity;

  const rows = () => /** @type {HTMLLIElement[]} */ ([...list.children]);
  const areas = () => rows().map((li) => /** @type {HTMLTextAreaElement} */ (li.querySelector('textarea')));

  function renumber() {
    rows().forEach((li, i) => {
      const label = /** @type {HTMLLabelElement} */ (li.querySelector('label'));
      label.textContent = `${capital(noun)} ${i + 1}`;
      const remove = /** @type {HTMLButtonElement} */ (li.querySelector('button'));
      remove.setAttribute('aria-label', `Remove ${noun} ${i + 1}`);
    });
    const n = rows().length;
    count.textContent = `${n} ${noun}${n === 1 ? '' : 's'}`;
    addButton.disabled = n >= max;
  }

  /** @param {string} value @returns {HTMLTextAreaElement} */
  function addRow(value) {
    const areaId = uid(`${id}-item`);
    const area = el('textarea', { id: areaId, rows: 2, class: 'texts-item', 'aria-describedby': ids.desc });
    area.value = value;
    const li = el(
      'li',
      { class: 'texts-row' },
      el('label', { for: areaId, class: 'texts-item-label' }),
      area,
      el('button', { type: 'button', class: 'icon-button', onclick: () => removeRow(li) }, '×'),
    );
    list.append(li);
    renumber();
    return area;
  }

  /** @param {HTMLLIElement} li */
  function removeRow(li) {
    const next = /** @type {HTMLLIElement | null} */ (li.nextElementSibling ?? li.previousElementSibling);
    li.remove();
    renumber();
    (next?.querySelector('textarea') ?? addButton).focus();
  }

  const addButton = el('button', { type: 'button', onclick: () => addRow('').focus() }, `Add ${noun}`);
  const paste = pasteArea(noun, (lines, replace) => {
    if (replace) list.replaceChildren();
    // An empty first box is a placeholder, not a text: pasted lines replace it.
    const current = areas();
    if (current.length === 1 && current[0].value === '') list.replaceChildren();
    for (const line of lines.slice(0, Math.max(0, max - rows().length))) addRow(line);
    renumber();
  });

  const element = el(
    'fieldset',
    { class: 'field field-texts', 'data-field': spec.name, 'aria-describedby': `${ids.desc} ${ids.error}` },
    el(
      'legend',
      { id: `${id}-legend`, class: 'field-label' },
      title(spec),
      spec.required && el('span', { class: 'required', 'aria-hidden': 'true' }, ' *'),
      ' ',
      count,
    ),
    describeBlock(spec, ids),
    list,
    el('div', { class: 'texts-actions' }, addButton),
    paste,
    error,
  );

  const initial = Array.isArray(spec.prop.default) ? spec.prop.default.map(String) : [''];
  for (const value of initial) addRow(value);

  return {
    name: spec.name,
    element,
    read: () => areas().map((a) => a.value),
    set(value) {
      list.replaceChildren();
      for (const v of Array.isArray(value) && value.length ? value : ['']) addRow(String(v));
    },
    focus: () => areas()[0]?.focus(),
    showError(msg, index) {
      const area = index === undefined ? undefined : areas()[index];
      error.textContent = index === undefined || !area ? msg : `${capital(noun)} ${index + 1}: ${msg}`;
      error.hidden = false;
      element.classList.add('has-error');
      if (area) area.setAttribute('aria-invalid', 'true');
    },
    clearError() {
      error.textContent = '';
      error.hidden = true;
      element.classList.remove('has-error');
      for (const a of areas()) a.removeAttribute('aria-invalid');
    },
  };
}

/**
 * A collapsible box for pasting many texts, one per line; blank lines are skipped.
 * @param {string} noun
 * @param {(lines: string[], replace: boolean) => void} onAdd
 */
function pasteArea(noun, onAdd) {
  const areaId = uid('paste');
  const area = el('textarea', { id: areaId, rows: 4, class: 'paste-area' });
  const take = (/** @type {boolean} */ replace) => {
    const lines = area.value.split(/\r?\n/).filter((l) => l.trim() !== '');
    if (!lines.length) return area.focus();
    onAdd(lines, replace);
    area.value = '';
    box.open = false;
    // The clicked button is now hidden; keep keyboard focus on the box's toggle.
    /** @type {HTMLElement} */ (box.querySelector('summary')).focus();
  };
  const box = el(
    'details',
    { class: 'paste' },
    el('summary', {}, `Paste many ${noun}s, one per line`),
    el('label', { for: areaId }, `${capital(noun)}s, one per line`),
    area,
    el(
      'div',
      { class: 'texts-actions' },
      el('button', { type: 'button', onclick: () => take(false) }, 'Add lines'),
      el('button', { type: 'button', onclick: () => take(true) }, `Replace all ${noun}s`),
    ),
  );
  return box;
}

/** @param {string} s */
function capital(s) {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
