// The input form, generated from /openapi.json's `components.schemas.Input`:
// one field per property in `x-order`, with the schema's titles, descriptions,
// defaults and bounds. Validation is the server's: its 422 messages are shown
// next to the fields they name.
import { createField } from './fields.js';

/**
 * @typedef {import('./field-shell.js').Field} Field
 * @typedef {import('./field-shell.js').PropSchema} PropSchema
 * @typedef {import('./api.js').FieldIssue} FieldIssue
 */

/** Item labels the schema cannot express (its description names them in prose). */
const ITEM_LABELS = /** @type {Record<string, string[]>} */ ({ score_weights: ['Dense', 'Sparse', 'ColBERT'] });

export class SchemaForm {
  /** @param {any} openapi the parsed /openapi.json */
  constructor(openapi) {
    const schema = openapi?.components?.schemas?.Input;
    if (!schema?.properties) throw new Error("/openapi.json has no components.schemas.Input with properties; the server is not speaking Cog's OpenAPI layout.");
    /** @type {Record<string, PropSchema>} */
    this.props = withChoices(openapi, schema.properties);
    const required = new Set(schema.required ?? []);
    /** @type {Field[]} */
    this.fields = orderedNames(this.props).map((name) =>
      createField({ name, prop: this.props[name], required: required.has(name), labels: ITEM_LABELS[name] }),
    );
  }

  /** @param {string} name */
  field(name) {
    return this.fields.find((f) => f.name === name);
  }

  /**
   * The input to send: every value the form holds, except those left empty or
   * equal to the schema's default (the server fills those in).
   * @returns {Record<string, unknown>}
   */
  read() {
    /** @type {Record<string, unknown>} */
    const input = {};
    for (const f of this.fields) {
      const value = f.read();
      const fallback = this.props[f.name].default;
      if (value === undefined || (fallback !== undefined && sameJson(value, fallback))) continue;
      input[f.name] = value;
    }
    return input;
  }

  /**
   * Shows a 422's issues next to their fields. Returns the messages that name
   * no field of the form, for the caller to show elsewhere.
   * @param {FieldIssue[]} issues
   * @returns {string[]}
   */
  showIssues(issues) {
    this.clearIssues();
    /** @type {string[]} */
    const unplaced = [];
    /** @type {Field | undefined} */
    let first;
    for (const issue of issues) {
      const [name, index] = issue.loc[0] === 'body' && issue.loc[1] === 'input' ? issue.loc.slice(2) : [];
      const field = typeof name === 'string' ? this.field(name) : undefined;
      if (!field) {
        unplaced.push(issue.loc.length ? `${issue.loc.join('.')}: ${issue.msg}` : issue.msg);
        continue;
      }
      field.showError(issue.msg, typeof index === 'number' ? index : undefined);
      first ??= field;
    }
    first?.focus();
    return unplaced;
  }

  clearIssues() {
    for (const f of this.fields) f.clearError();
  }
}

/**
 * Cog writes an input with choices as `{allOf: [{$ref}], default, description,
 * x-order}` and the choices in the component it refers to: the two merged.
 * @param {any} openapi @param {Record<string, any>} props @returns {Record<string, PropSchema>}
 */
function withChoices(openapi, props) {
  /** @type {Record<string, PropSchema>} */
  const out = {};
  for (const [name, prop] of Object.entries(props)) {
    const target = prop.allOf?.[0]?.$ref?.match(/^#\/components\/schemas\/(.+)$/)?.[1];
    const choices = target && openapi.components.schemas[target];
    const { allOf, ...rest } = prop;
    out[name] = choices ? { type: choices.type, enum: choices.enum, ...rest } : prop;
  }
  return out;
}

/** @param {Record<string, PropSchema>} props */
function orderedNames(props) {
  const names = Object.keys(props);
  const order = (/** @type {string} */ n) => props[n]['x-order'] ?? names.indexOf(n);
  return names.sort((a, b) => order(a) - order(b));
}

/** @param {unknown} a @param {unknown} b */
function sameJson(a, b) {
  return JSON.stringify(a) === JSON.stringify(b);
}
