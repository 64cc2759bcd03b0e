// Tiny DOM helpers: build elements declaratively, without a framework.

/**
 * @typedef {string | number | boolean | null | undefined | ((ev: Event) => void) | Record<string, string>} AttrValue
 * @typedef {Node | string | number | null | undefined | false} Child
 */

/**
 * Creates an element. `on<event>` attributes become listeners, `class` sets
 * className, `style` as an object sets CSS properties (custom ones too),
 * `false`/`null`/`undefined` attributes are left out.
 * @template {keyof HTMLElementTagNameMap} K
 * @param {K} tag
 * @param {Record<string, AttrValue>} [attrs]
 * @param {...(Child | Child[])} children
 * @returns {HTMLElementTagNameMap[K]}
 */
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) setAttr(node, name, value);
  append(node, children);
  return node;
}

/**
 * @param {HTMLElement} node
 * @param {string} name
 * @param {AttrValue} value
 */
function setAttr(node, name, value) {
  if (value === false || value === null || value === undefined) return;
  if (typeof value === 'function') {
    node.addEventListener(name.slice(2).toLowerCase(), value);
  } else if (name === 'style' && typeof value === 'object') {
    for (const [prop, v] of Object.entries(value)) node.style.setProperty(prop, v);
  } else if (name === 'class') {
    node.className = String(value);
  } else if (name in node && typeof value !== 'string' && typeof value !== 'object') {
    // Properties such as checked, value, disabled.
    /** @type {any} */ (node)[name] = value;
  } else {
    node.setAttribute(name, value === true ? '' : String(value));
  }
}

/**
 * @param {Node} parent
 * @param {(Child | Child[])[]} children
 */
export function append(parent, children) {
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    parent.appendChild(typeof child === 'object' ? child : document.createTextNode(String(child)));
  }
}

/**
 * Replaces every child of `parent`.
 * @param {Node} parent
 * @param {...(Child | Child[])} children
 */
export function replaceChildren(parent, ...children) {
  while (parent.firstChild) parent.removeChild(parent.firstChild);
  append(parent, children);
}

let idCounter = 0;

/** A document-unique id with a readable prefix. @param {string} prefix */
export function uid(prefix) {
  idCounter += 1;
  return `${prefix}-${idCounter}`;
}

/** @param {string} id @returns {HTMLElement} */
export function byId(id) {
  const node = document.getElementById(id);
  if (!node) throw new Error(`The page has no element #${id}; index.html and the scripts are out of step.`);
  return node;
}
