// The API key the playground sends when the server asks for one (it answers
// 401). Kept in sessionStorage: this tab only, gone when the tab closes; never
// in localStorage, a cookie or the URL. The dialog that asks for it is
// registered by key-prompt.js, so this module stays free of the DOM.

const STORAGE_KEY = 'bge-m3-api-key';

/** @type {((rejected: boolean) => Promise<string | null>) | null} */
let prompt = null;
/** @type {Promise<string | null> | null} */
let asking = null;

/** The key in use in this tab, or null. @returns {string | null} */
export function storedKey() {
  try {
    return sessionStorage.getItem(STORAGE_KEY);
  } catch {
    return null;
  }
}

/** @param {string | null} key */
function keep(key) {
  try {
    if (key === null) sessionStorage.removeItem(STORAGE_KEY);
    else sessionStorage.setItem(STORAGE_KEY, key);
  } catch {
    /* storage off: the key lives only as long as the page */
  }
}

/** Headers carrying the key, if there is one. @returns {Record<string, string>} */
export function authHeaders() {
  const key = storedKey();
  return key ? { Authorization: `Bearer ${key}` } : {};
}

/** @param {(rejected: boolean) => Promise<string | null>} ask resolves with a key, or null when the person declines */
export function setKeyPrompt(ask) {
  prompt = ask;
}

/**
 * After a 401: drops the key that failed and asks for another (one dialog
 * however many requests were refused at once). Resolves with the new key,
 * or null when there is no prompt or the person cancels.
 * @returns {Promise<string | null>}
 */
export function replaceRejectedKey() {
  if (asking) return asking;
  const rejected = storedKey() !== null;
  keep(null);
  if (!prompt) return Promise.resolve(null);
  asking = prompt(rejected)
    .then((key) => {
      const trimmed = key?.trim() || null;
      keep(trimmed);
      return trimmed;
    })
    .finally(() => {
      asking = null;
    });
  return asking;
}
