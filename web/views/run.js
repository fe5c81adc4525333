// One request followed live: queue position, then a progress bar with its stage, the runner's log
// and its preview frame, over the status event stream; then the output (a player and a download)
// or the reason there is none.
import { ApiError } from '../lib/api.js';
import { h, replace } from '../lib/dom.js';
import { icon } from '../lib/icons.js';

/**
 * @typedef {import('../lib/api.js').Api} Api
 * @typedef {import('../lib/api.js').StatusBody} StatusBody
 * @typedef {import('../lib/api.js').Submitted} Submitted
 */

/** @param {number} s */
const seconds = (s) => (s < 60 ? `${Math.round(s)} s` : `${Math.floor(s / 60)} min ${Math.round(s % 60)} s`);

/** The output's media files: every `{url}` object in it, with what kind of player fits. @param {unknown} out */
function mediaOf(out) {
  /** @type {{ url: string, kind: 'video' | 'image' | 'other', name: string }[]} */
  const found = [];
  /** @param {unknown} v */
  const walk = (v) => {
    if (Array.isArray(v)) { v.forEach(walk); return; }
    if (typeof v !== 'object' || v === null) return;
    const o = /** @type {Record<string, unknown>} */ (v);
    if (typeof o.url === 'string') {
      const type = typeof o.content_type === 'string' ? o.content_type : '';
      const kind = type.startsWith('video/') || /\.(mp4|webm|mov)(\?|$)/.test(o.url) ? 'video'
        : type.startsWith('image/') || /\.(png|jpe?g|webp|gif)(\?|$)/.test(o.url) ? 'image' : 'other';
      found.push({ url: o.url, kind, name: typeof o.file_name === 'string' ? o.file_name : 'output' });
      return;
    }
    Object.values(o).forEach(walk);
  };
  walk(out);
  return found;
}

/**
 * The panel's parts for one request.
 * @param {HTMLElement} root @param {Submitted} req @param {() => void} onCancel
 */
function skeleton(root, req, onCancel) {
  const chip = h('span.chip.queued', 'Queued');
  const cancel = h('button.ghost.small', { type: 'button', onclick: () => { cancel.disabled = true; onCancel(); } }, icon('stop', 14), 'Cancel');
  const fill = h('div.bar-fill');
  const bar = h('div.bar', { attrs: { role: 'progressbar', 'aria-valuemin': '0', 'aria-valuemax': '100', 'aria-valuenow': '0' } }, fill);
  const percent = h('span.percent', '0 %');
  const stage = h('span.stage', 'Waiting in the queue');
  const eta = h('span.eta');
  const preview = h('img.frame-preview', { alt: 'Current frame', hidden: true });
  const logs = h('pre.logs');
  const output = h('div.output');
  replace(root,
    h('div.run-head', chip, h('code.request-id', { title: 'Request id' }, req.request_id), cancel),
    h('div.progress', h('div.progress-line', stage, h('span.spacer'), eta, percent), bar),
    h('div.preview-wrap', preview),
    output,
    h('details.log-box', { open: true }, h('summary', 'Logs'), logs),
  );
  return { chip, cancel, bar, fill, percent, stage, eta, preview, logs, output, logCount: 0, previewLoading: false };
}

/** @typedef {ReturnType<typeof skeleton>} Ui */

export class RunView {
  /**
   * @param {Api} api
   * @param {{ onSettled: () => void, onFieldErrors: (endpointId: string | null, errors: import('../lib/api.js').FieldError[]) => void }} hooks
   */
  constructor(api, hooks) {
    this.api = api;
    this.hooks = hooks;
    /** @type {AbortController | null} */
    this.following = null;
    this.element = h('section.run-panel', { attrs: { 'aria-live': 'polite' } });
    this.idle();
  }

  idle() {
    this.following?.abort();
    replace(this.element, h('div.empty-state', icon('play', 36), h('p', 'Fill in the form and press ', h('strong', 'Run'), '.'),
      h('p.muted', 'Progress, logs and the finished video show here.')));
  }

  /**
   * Follows a request to its end. Listens to the status stream; if that breaks, polls.
   * @param {Submitted & { endpoint_id?: string }} req
   */
  async follow(req) {
    this.following?.abort();
    const ctl = new AbortController();
    this.following = ctl;
    const ui = skeleton(this.element, req, () => void this.api.cancel(req.cancel_url).catch(console.error));
    /** @type {StatusBody | null} */
    let last = null;
    try {
      try {
        for await (const s of this.api.watch(req.status_url, ctl.signal)) {
          last = s;
          this.#update(ui, s);
        }
      } catch (err) {
        if (ctl.signal.aborted) return;
        console.warn('status stream broke; polling instead', err);
      }
      while (last?.status !== 'COMPLETED' && !ctl.signal.aborted) {
        await new Promise((r) => setTimeout(r, 1000));
        last = await this.api.status(req.status_url, ctl.signal);
        if (last) this.#update(ui, { ...last, logs: last.logs?.slice(ui.logCount) ?? null });
      }
      if (ctl.signal.aborted) return;
      await this.#finish(ui, req, last);
    } catch (err) {
      if (!ctl.signal.aborted) this.#fail(ui, err instanceof Error ? err.message : String(err), 'failed');
    } finally {
      if (this.following === ctl) this.hooks.onSettled();
    }
  }

  /** @param {Ui} ui @param {number} fraction */
  #setProgress(ui, fraction) {
    const pct = Math.round(Math.max(0, Math.min(1, fraction)) * 100);
    ui.fill.style.width = `${pct}%`;
    ui.bar.setAttribute('aria-valuenow', String(pct));
    ui.percent.textContent = `${pct} %`;
  }

  /** @param {Ui} ui @param {StatusBody} s */
  #update(ui, s) {
    if (s.status === 'IN_QUEUE') {
      ui.chip.className = 'chip queued';
      ui.chip.textContent = 'Queued';
      ui.stage.textContent = s.queue_position ? `Position ${s.queue_position + 1} in the queue` : 'Next in the queue';
    } else if (s.status === 'IN_PROGRESS') {
      ui.chip.className = 'chip running';
      ui.chip.textContent = 'Running';
      const stage = s.progress?.stage ?? 'starting';
      ui.stage.textContent = stage.charAt(0).toUpperCase() + stage.slice(1);
      ui.eta.textContent = s.progress?.eta_seconds != null ? `about ${seconds(s.progress.eta_seconds)} left` : '';
      if (s.progress) this.#setProgress(ui, s.progress.fraction);
      const src = s.progress?.preview_url;
      // A new frame only once the last one has loaded: the preview URL stays, its picture changes.
      if (src && !ui.previewLoading) {
        ui.previewLoading = true;
        ui.preview.onload = ui.preview.onerror = () => { ui.previewLoading = false; ui.preview.hidden = false; };
        ui.preview.src = `${src}?at=${Date.now()}`;
      }
    }
    for (const line of s.logs ?? []) {
      ui.logs.append(h('span.log-line', { class: `log-line ${line.level.toLowerCase()}` }, line.message), '\n');
      ui.logCount++;
    }
    ui.logs.scrollTop = ui.logs.scrollHeight;
  }

  /** @param {Ui} ui @param {Submitted & { endpoint_id?: string }} req @param {StatusBody | null} last */
  async #finish(ui, req, last) {
    ui.cancel.remove();
    ui.eta.textContent = '';
    try {
      const out = await this.api.result(req.response_url);
      ui.chip.className = 'chip succeeded';
      ui.chip.textContent = 'Completed';
      const took = last?.metrics?.inference_time;
      ui.stage.textContent = took != null ? `Done in ${seconds(took)}` : 'Done';
      this.#setProgress(ui, 1);
      ui.preview.closest('.preview-wrap')?.remove();
      this.#showOutput(ui.output, out);
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
      const cancelled = err.status === 499 || last?.error_type === 'client_cancelled';
      this.#fail(ui, err.message, cancelled ? 'cancelled' : 'failed');
      // Input the runner could not use (a 422 naming fields) is shown at those fields too.
      if (err.fieldErrors.length) this.hooks.onFieldErrors(req.endpoint_id ?? null, err.fieldErrors);
    }
  }

  /** @param {Ui} ui @param {string} message @param {'failed' | 'cancelled'} kind */
  #fail(ui, message, kind) {
    ui.cancel.remove();
    ui.chip.className = `chip ${kind}`;
    ui.chip.textContent = kind === 'cancelled' ? 'Cancelled' : 'Failed';
    ui.stage.textContent = kind === 'cancelled' ? 'Cancelled' : 'No output';
    ui.preview.closest('.preview-wrap')?.remove();
    replace(ui.output, h('div.alert', message));
  }

  /** Shows a finished request's output (also for one reopened from the history). @param {HTMLElement} box @param {unknown} out */
  #showOutput(box, out) {
    const media = mediaOf(out);
    replace(box,
      media.map((m) => h('figure.result',
        m.kind === 'video' ? h('video.player', { src: m.url, controls: true, autoplay: true, muted: true, loop: true, playsInline: true, preload: 'auto' })
          : m.kind === 'image' ? h('img.player', { src: m.url, alt: 'Output' }) : null,
        h('figcaption', h('a.button.secondary.small', { href: m.url, download: m.name, target: '_blank', rel: 'noopener' }, icon('download', 14), 'Download'),
          h('a.muted.small-link', { href: m.url, target: '_blank', rel: 'noopener' }, 'Open file')))),
      h('details.json-box', h('summary', 'Result JSON'), h('pre.mono', JSON.stringify(out, null, 2))),
    );
  }

  /**
   * A request from the history: finished ones show their output or error at once, others are followed.
   * @param {import('../lib/api.js').HistoryEntry} entry
   */
  async open(entry) {
    if (entry.status !== 'COMPLETED') return this.follow(entry);
    this.following?.abort();
    this.following = null;
    const ui = skeleton(this.element, entry, () => void this.api.cancel(entry.cancel_url).catch(console.error));
    const logs = await this.api.status(entry.status_url).catch(() => null);
    if (logs) this.#update(ui, { ...logs, status: 'COMPLETED' });
    await this.#finish(ui, entry, logs);
  }
}
