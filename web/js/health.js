// What the health check says, turned into words for the page: whether the
// model is ready, and any banner the server carries (e.g. "random demo
// weights"), found under a `banner`-like key anywhere in its JSON.

const BANNER_KEY = /banner|notice|warning/i;

/**
 * Every banner-like string in `json` (keys matching banner/notice/warning),
 * in document order, without repeats.
 * @param {unknown} json @returns {string[]}
 */
export function findBanners(json) {
  /** @type {string[]} */
  const found = [];
  /** @param {unknown} node @param {number} depth */
  const walk = (node, depth) => {
    if (!node || typeof node !== 'object' || depth > 6) return;
    for (const [key, value] of Object.entries(node)) {
      if (BANNER_KEY.test(key) && typeof value === 'string' && value.trim()) found.push(value.trim());
      else walk(value, depth + 1);
    }
  };
  walk(json, 0);
  return [...new Set(found)];
}

/**
 * @param {any} health the /health-check JSON
 * @returns {{ ready: boolean, waiting: boolean, message: string }}
 */
export function readiness(health) {
  const status = String(health?.status ?? 'UNKNOWN');
  switch (status) {
    case 'READY':
      return { ready: true, waiting: false, message: '' };
    case 'BUSY':
      return { ready: true, waiting: false, message: 'The server is busy with other predictions; yours may wait for a free slot.' };
    case 'STARTING':
      return { ready: false, waiting: true, message: 'The model is loading; the form unlocks when it is ready.' };
    case 'SETUP_FAILED':
      return {
        ready: false,
        waiting: false,
        message: `The model failed to load, so predictions cannot run. The server said:\n${health?.setup?.logs ?? '(no logs)'}`,
      };
    default:
      return { ready: false, waiting: true, message: `The server reports status ${status}; waiting for READY.` };
  }
}
