// The run panel: status, elapsed time, a progress bar fed by the predictor's
// "embedded N/M texts" log lines, the logs themselves, and the Cancel button.
import { el, replaceChildren } from './dom.js';

/** @typedef {import('./api.js').V1Prediction} V1Prediction */

const PROGRESS_LINE = /embedded (\d+)\/(\d+) texts/g;

export class ProgressView {
  /**
   * @param {HTMLElement} root the #run panel
   * @param {() => void} onCancel
   */
  constructor(root, onCancel) {
    this.root = root;
    this.status = el('p', { class: 'run-status', role: 'status', 'aria-live': 'polite', id: 'run-status', tabindex: -1 });
    // Outside the live region: a screen reader should not announce every second.
    this.elapsed = el('span', { class: 'elapsed muted', 'aria-hidden': 'true' });
    this.id = el('span', { class: 'run-id muted', id: 'run-id' });
    this.bar = el('progress', { max: 1, value: 0, 'aria-label': 'Texts embedded', hidden: true });
    this.logs = el('pre', { class: 'logs', id: 'run-logs', tabindex: 0, 'aria-label': 'Prediction logs', hidden: true });
    this.cancelButton = el('button', { type: 'button', class: 'danger', id: 'cancel', hidden: true, onclick: onCancel }, 'Cancel');
    this.startedAt = 0;
    /** @type {number | undefined} */
    this.timer = undefined;
    replaceChildren(root, el('div', { class: 'run-row' }, this.cancelButton, this.status, this.elapsed, this.id), this.bar, this.logs);
  }

  /** @param {string} what */
  begin(what) {
    this.startedAt = performance.now();
    this.root.hidden = false;
    this.root.dataset.status = 'starting';
    this.cancelButton.hidden = false;
    this.logs.hidden = true;
    this.logs.textContent = '';
    this.bar.hidden = true;
    this.elapsed.textContent = '';
    this.id.textContent = '';
    this.say(what);
    clearInterval(this.timer);
    this.timer = window.setInterval(() => this.tick(), 1000);
  }

  /** @param {V1Prediction} p */
  update(p) {
    this.root.dataset.status = p.status;
    this.id.textContent = `prediction ${p.id}`;
    this.root.dataset.predictionId = p.id;
    this.say(statusText(p));
    this.showLogs(p.logs ?? '');
  }

  /** @param {V1Prediction} p */
  end(p) {
    this.update(p);
    this.stop();
  }

  /** @param {string} message */
  fail(message) {
    this.root.hidden = false;
    this.root.dataset.status = 'error';
    this.say(message);
    this.stop();
  }

  stop() {
    clearInterval(this.timer);
    const hadFocus = document.activeElement === this.cancelButton;
    this.cancelButton.hidden = true;
    // The button leaves; keyboard focus goes to the status it changed.
    if (hadFocus) this.status.focus();
  }

  tick() {
    this.elapsed.textContent = `${Math.round((performance.now() - this.startedAt) / 1000)} s`;
  }

  /** @param {string} text */
  say(text) {
    this.status.textContent = text;
  }

  /** @param {string} logs */
  showLogs(logs) {
    this.logs.hidden = logs === '';
    if (this.logs.textContent !== logs) {
      this.logs.textContent = logs;
      this.logs.scrollTop = this.logs.scrollHeight;
    }
    const last = [...logs.matchAll(PROGRESS_LINE)].pop();
    if (!last) return;
    this.bar.hidden = false;
    this.bar.max = Number(last[2]);
    this.bar.value = Number(last[1]);
  }
}

/** @param {V1Prediction} p */
function statusText(p) {
  switch (p.status) {
    case 'starting':
      return 'Waiting for a free slot…';
    case 'processing':
      return 'Embedding…';
    case 'succeeded':
      return `Done in ${(p.metrics?.predict_time ?? 0).toFixed(2)} s.`;
    case 'canceled':
      return 'Canceled.';
    case 'failed':
      return `Failed: ${p.error ?? 'no error message'}`;
    default:
      return String(p.status);
  }
}
