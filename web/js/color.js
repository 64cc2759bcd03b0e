// Color scales for the views, each paired with a text color that keeps the
// WCAG contrast ratio above 4.5 on top of it.

/** @typedef {[number, number, number]} RGB */

const LIGHT = /** @type {RGB} */ ([247, 251, 255]);
const MID = /** @type {RGB} */ ([107, 174, 214]);
const DARK = /** @type {RGB} */ ([8, 48, 107]);
const NEGATIVE = /** @type {RGB} */ ([178, 24, 43]);
const POSITIVE = /** @type {RGB} */ ([33, 102, 172]);
const NEUTRAL = /** @type {RGB} */ ([247, 247, 247]);

/** Light to dark blue for t in [0, 1]. @param {number} t @returns {RGB} */
export function sequential(t) {
  const x = clamp01(t);
  return x < 0.5 ? mix(LIGHT, MID, x * 2) : mix(MID, DARK, (x - 0.5) * 2);
}

/** Red (-1) through near-white (0) to blue (+1). @param {number} t in [-1, 1] @returns {RGB} */
export function diverging(t) {
  const x = Math.max(-1, Math.min(1, t));
  return x < 0 ? mix(NEUTRAL, NEGATIVE, -x) : mix(NEUTRAL, POSITIVE, x);
}

/** @param {RGB} rgb */
export function css(rgb) {
  return `rgb(${rgb.map((c) => Math.round(c)).join(' ')})`;
}

/** Black or white, whichever contrasts more with `rgb`. @param {RGB} rgb */
export function textOn(rgb) {
  const l = luminance(rgb);
  return (l + 0.05) / 0.05 >= 1.05 / (l + 0.05) ? '#000' : '#fff';
}

/**
 * Where `value` lies between min and max, as 0..1 (0.5 when they are equal).
 * @param {number} value @param {number} min @param {number} max
 */
export function position(value, min, max) {
  return max > min ? (value - min) / (max - min) : 0.5;
}

/** @param {RGB} a @param {RGB} b @param {number} t @returns {RGB} */
function mix(a, b, t) {
  return [a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t, a[2] + (b[2] - a[2]) * t];
}

/** @param {number} x */
function clamp01(x) {
  return Number.isFinite(x) ? Math.max(0, Math.min(1, x)) : 0;
}

/** WCAG relative luminance. @param {RGB} rgb */
function luminance(rgb) {
  const [r, g, b] = rgb.map((c) => {
    const s = c / 255;
    return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}
