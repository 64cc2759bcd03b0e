// One form control per schema property type. Every field has the same shape:
// an element to place, read() for its value (undefined = leave it out and let
// the server apply its default), set() to change it, and an error slot.
import { el, uid } from './dom.js';
import { describeBlock, describedIds, errorSlot, fieldShell, title } from './field-shell.js';
import { createTextsEditor } from './texts-editor.js';

/**
 * @typedef {import('./field-shell.js').PropSchema} PropSchema
 * @typedef {import('./field-shell.js').Field} Field
 * @typedef {import('./field-shell.js').FieldSpec} FieldSpec
 */

/** @param {FieldSpec} spec @returns {Field} */
export function createField(spec) {
  const { prop } = spec;
  if (prop.type === 'array' && prop.items?.type === 'string') return createTextsEditor(spec);
  if (prop.type === 'array' && isNumeric(prop.items?.type) && fixedLength(prop) > 0) return tupleField(spec);
  if (prop.type === 'integer' || prop.type === 'number') return numberField(spec);
  if (prop.type === 'boolean') return booleanField(spec);
  if (prop.type === 'string' && prop.enum) return selectField(spec);
  if (prop.type === 'string') return stringField(spec);
  return jsonField(spec);
}

/** @param {string | undefined} type */
function isNumeric(type) {
  return type === 'number' || type === 'integer';
}

/** @param {PropSchema} prop */
function fixedLength(prop) {
  return prop.minItems !== undefined && prop.minItems === prop.maxItems && prop.minItems <= 8 ? prop.minItems : 0;
}

/** @param {FieldSpec} spec @returns {Field} */
function numberField(spec) {
  const id = uid(`f-${spec.name}`);
  const { prop } = spec;
  const input = el('input', {
    id,
    name: spec.name,
    type: 'number',
    inputmode: prop.type === 'integer' ? 'numeric' : 'decimal',
    step: prop.type === 'integer' ? '1' : 'any',
    min: prop.minimum,
    max: prop.maximum,
    value: prop.default === undefined ? '' : String(prop.default),
    'aria-describedby': describedIds(id).desc,
  });
  const { wrapper, ids } = fieldShell(spec, id, input);
  const errors = errorSlot(wrapper, ids.error, [input]);
  return {
    name: spec.name,
    element: wrapper,
    // Sent as typed (a number when it parses): range checks are the server's job, so its 422 says what is wrong.
    read: () => (input.value.trim() === '' ? undefined : numberOrText(input.value)),
    set: (v) => {
      input.value = v === undefined ? '' : String(v);
    },
    focus: () => input.focus(),
    showError: errors.show,
    clearError: errors.clear,
  };
}

/** The number typed, or the text itself when it is none (blank included), for the server to reject. @param {string} text */
function numberOrText(text) {
  const n = Number(text);
  return text.trim() !== '' && Number.isFinite(n) ? n : text;
}

/** @param {FieldSpec} spec @returns {Field} */
function booleanField(spec) {
  const id = uid(`f-${spec.name}`);
  const ids = describedIds(id);
  const box = el('input', { id, name: spec.name, type: 'checkbox', checked: spec.prop.default === true, 'aria-describedby': ids.desc });
  const wrapper = el(
    'div',
    { class: 'field field-boolean', 'data-field': spec.name },
    el('div', { class: 'check-row' }, box, el('label', { for: id, class: 'field-label' }, title(spec))),
    describeBlock(spec, ids),
    el('p', { id: ids.error, class: 'field-error', role: 'alert', hidden: true }),
  );
  const errors = errorSlot(wrapper, ids.error, [box]);
  return {
    name: spec.name,
    element: wrapper,
    read: () => box.checked,
    set: (v) => {
      box.checked = v === true;
    },
    focus: () => box.focus(),
    showError: errors.show,
    clearError: errors.clear,
  };
}

/** @param {FieldSpec} spec @returns {Field} */
function stringField(spec) {
  const id = uid(`f-${spec.name}`);
  const area = el('textarea', { id, name: spec.name, rows: 2, 'aria-describedby': describedIds(id).desc });
  if (typeof spec.prop.default === 'string') area.value = spec.prop.default;
  const { wrapper, ids } = fieldShell(spec, id, area);
  const errors = errorSlot(wrapper, ids.error, [area]);
  return {
    name: spec.name,
    element: wrapper,
    // An empty optional string is left out rather than sent as "".
    read: () => (area.value === '' && !spec.required ? undefined : area.value),
    set: (v) => {
      area.value = typeof v === 'string' ? v : '';
    },
    focus: () => area.focus(),
    showError: errors.show,
    clearError: errors.clear,
  };
}

/** One of the schema's enum values, as a select (the default preselected). @param {FieldSpec} spec @returns {Field} */
function selectField(spec) {
  const id = uid(`f-${spec.name}`);
  const values = spec.prop.enum ?? [];
  const select = el(
    'select',
    { id, name: spec.name, 'aria-describedby': describedIds(id).desc },
    values.map((v) => el('option', { value: v, selected: v === spec.prop.default }, v)),
  );
  const { wrapper, ids } = fieldShell(spec, id, select);
  const errors = errorSlot(wrapper, ids.error, [select]);
  return {
    name: spec.name,
    element: wrapper,
    read: () => select.value,
    set: (v) => {
      select.value = typeof v === 'string' ? v : String(spec.prop.default ?? values[0] ?? '');
    },
    focus: () => select.focus(),
    showError: errors.show,
    clearError: errors.clear,
  };
}

/** A fixed-length list of numbers (score_weights): one labelled box per item. @param {FieldSpec} spec @returns {Field} */
function tupleField(spec) {
  const id = uid(`f-${spec.name}`);
  const ids = describedIds(id);
  const { prop } = spec;
  const defaults = Array.isArray(prop.default) ? prop.default : [];
  const inputs = Array.from({ length: fixedLength(prop) }, (_, i) =>
    el('input', {
      id: `${id}-${i}`,
      name: `${spec.name}.${i}`,
      type: 'number',
      step: 'any',
      inputmode: 'decimal',
      min: prop.items?.minimum,
      max: prop.items?.maximum,
      value: defaults[i] === undefined ? '' : String(defaults[i]),
      'aria-describedby': ids.desc,
    }),
  );
  const wrapper = el(
    'fieldset',
    { class: 'field field-tuple', 'data-field': spec.name, 'aria-describedby': ids.desc },
    el('legend', { class: 'field-label' }, title(spec)),
    el(
      'div',
      { class: 'tuple-row' },
      inputs.map((input, i) => el('label', { for: input.id, class: 'tuple-item' }, el('span', {}, spec.labels?.[i] ?? `#${i + 1}`), input)),
    ),
    describeBlock(spec, ids),
    el('p', { id: ids.error, class: 'field-error', role: 'alert', hidden: true }),
  );
  const errors = errorSlot(wrapper, ids.error, inputs);
  return {
    name: spec.name,
    element: wrapper,
    read: () => (inputs.every((i) => i.value.trim() === '') ? undefined : inputs.map((i) => numberOrText(i.value))),
    set: (v) =>
      inputs.forEach((input, i) => {
        input.value = Array.isArray(v) && v[i] !== undefined ? String(v[i]) : '';
      }),
    focus: () => inputs[0].focus(),
    showError: errors.show,
    clearError: errors.clear,
  };
}

/** Any other type: edited as JSON. @param {FieldSpec} spec @returns {Field} */
function jsonField(spec) {
  const id = uid(`f-${spec.name}`);
  const area = el('textarea', { id, name: spec.name, rows: 2, class: 'mono', spellcheck: 'false', 'aria-describedby': describedIds(id).desc });
  if (spec.prop.default !== undefined) area.value = JSON.stringify(spec.prop.default);
  const { wrapper, ids } = fieldShell(spec, id, area);
  const errors = errorSlot(wrapper, ids.error, [area]);
  return {
    name: spec.name,
    element: wrapper,
    read: () => {
      if (area.value.trim() === '') return undefined;
      try {
        return JSON.parse(area.value);
      } catch {
        return area.value;
      }
    },
    set: (v) => {
      area.value = v === undefined ? '' : JSON.stringify(v);
    },
    focus: () => area.focus(),
    showError: errors.show,
    clearError: errors.clear,
  };
}
