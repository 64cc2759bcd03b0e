// What every form field shares: label, description with the schema's
// default and bounds, and an error slot tied to its controls by ARIA.
import { el } from './dom.js';

/**
 * @typedef {{ type?: string, title?: string, description?: string, default?: unknown, enum?: string[],
 *   minimum?: number, maximum?: number, minItems?: number, maxItems?: number,
 *   items?: PropSchema, 'x-order'?: number }} PropSchema
 * @typedef {{ name: string, element: HTMLElement, read(): unknown, set(value: unknown): void,
 *   focus(): void, showError(msg: string, index?: number): void, clearError(): void }} Field
 * @typedef {{ name: string, prop: PropSchema, required: boolean, labels?: string[] }} FieldSpec
 */

/**
 * The label, description, hint and error slot around a control.
 * @param {FieldSpec} spec
 * @param {string} controlId
 * @param {HTMLElement} control
 */
export function fieldShell(spec, controlId, control) {
  const ids = describedIds(controlId);
  const wrapper = el(
    'div',
    { class: 'field', 'data-field': spec.name },
    el('label', { for: controlId, class: 'field-label' }, title(spec), spec.required && el('span', { class: 'required', 'aria-hidden': 'true' }, ' *')),
    control,
    describeBlock(spec, ids),
    el('p', { id: ids.error, class: 'field-error', role: 'alert', hidden: true }),
  );
  return { wrapper, ids };
}

/** @param {string} controlId */
export function describedIds(controlId) {
  return { desc: `${controlId}-desc`, error: `${controlId}-error` };
}

/** @param {FieldSpec} spec */
export function title(spec) {
  return (
    spec.prop.title ??
    spec.name
      .split('_')
      .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
      .join(' ')
  );
}

/** @param {FieldSpec} spec @param {{ desc: string }} ids */
export function describeBlock(spec, ids) {
  const hint = hintText(spec.prop);
  return el('p', { id: ids.desc, class: 'field-desc' }, withCode(spec.prop.description ?? ''), hint && el('span', { class: 'field-hint' }, ` ${hint}`));
}

/** Text with its `backticked` parts (Markdown code, as schema.json writes names) set as code. @param {string} text */
function withCode(text) {
  return text.split('`').map((part, i) => (i % 2 ? el('code', {}, part) : part));
}

/** "Default 8192 · from 1 to 8192", from the schema's default and bounds. @param {PropSchema} prop */
export function hintText(prop) {
  const parts = [];
  if (prop.default !== undefined) parts.push(`Default ${JSON.stringify(prop.default)}.`);
  const bounds = boundsText(prop.minimum, prop.maximum, '');
  if (bounds) parts.push(`Allowed: ${bounds}.`);
  const items = boundsText(prop.minItems, prop.maxItems, ' items');
  if (items && !(prop.minItems === prop.maxItems)) parts.push(`${items[0].toUpperCase()}${items.slice(1)}.`);
  const itemBounds = prop.items && boundsText(prop.items.minimum, prop.items.maximum, '');
  if (itemBounds) parts.push(`Each ${itemBounds}.`);
  return parts.join(' ');
}

/** @param {number | undefined} min @param {number | undefined} max @param {string} unit */
function boundsText(min, max, unit) {
  if (min !== undefined && max !== undefined) return `${min} to ${max}${unit}`;
  if (min !== undefined) return `at least ${min}${unit}`;
  if (max !== undefined) return `at most ${max}${unit}`;
  return '';
}

/**
 * Error display shared by the simple fields.
 * @param {HTMLElement} wrapper @param {string} errorId @param {HTMLElement[]} controls
 */
export function errorSlot(wrapper, errorId, controls) {
  const slot = /** @type {HTMLElement} */ (wrapper.querySelector(`#${CSS.escape(errorId)}`));
  return {
    /** @param {string} msg @param {number} [index] */
    show(msg, index) {
      slot.textContent = msg;
      slot.hidden = false;
      wrapper.classList.add('has-error');
      const bad = index !== undefined && controls[index] ? [controls[index]] : controls;
      for (const c of bad) {
        c.setAttribute('aria-invalid', 'true');
        addDescribedBy(c, errorId);
      }
    },
    clear() {
      slot.textContent = '';
      slot.hidden = true;
      wrapper.classList.remove('has-error');
      for (const c of controls) c.removeAttribute('aria-invalid');
    },
  };
}

/** @param {HTMLElement} control @param {string} id */
function addDescribedBy(control, id) {
  const ids = new Set((control.getAttribute('aria-describedby') ?? '').split(' ').filter(Boolean));
  ids.add(id);
  control.setAttribute('aria-describedby', [...ids].join(' '));
}
