// The key's own requests, newest first: status, a thumbnail, reopen, and cancel for those still
// queued or running. Refreshed after each run, and every few seconds while any is unfinished.
import { ago, h, replace } from '../lib/dom.js';
import { icon } from '../lib/icons.js';

/**
 * @typedef {import('../lib/api.js').Api} Api
 * @typedef {import('../lib/api.js').HistoryEntry} HistoryEntry
 */

const LABELS = /** @type {Record<string, string>} */ ({
  queued: 'Queued', running: 'Running', succeeded: 'Completed', failed: 'Failed', cancelled: 'Cancelled', expired: 'Expired',
});

/** The output video's URL, if the request made one. @param {unknown} result */
function videoUrl(result) {
  const v = /** @type {{ video?: { url?: unknown } } | null} */ (result)?.video?.url;
  return typeof v === 'string' ? v : null;
}

/** A small picture of the request: its output's first frame, else its input image. @param {HistoryEntry} e */
function thumbnail(e) {
  const video = videoUrl(e.result);
  if (video) return h('video.thumb', { src: `${video}#t=0.1`, muted: true, preload: 'metadata', playsInline: true, attrs: { 'aria-hidden': 'true' } });
  const image = Object.entries(e.input ?? {}).find(([k, v]) => /image/.test(k) && typeof v === 'string' && /^(https?:|data:image)/.test(v))?.[1];
  if (typeof image === 'string') return h('img.thumb', { src: image, alt: '', loading: 'lazy' });
  return h('div.thumb.blank', icon(e.endpoint_id.includes('video') ? 'video' : 'code', 20));
}

export class HistoryView {
  /** @param {Api} api @param {{ onOpen: (e: HistoryEntry) => void, titleOf: (endpointId: string) => string }} hooks */
  constructor(api, hooks) {
    this.api = api;
    this.hooks = hooks;
    this.list = h('ol.history-list');
    /** @type {number | undefined} */
    this.timer = undefined;
    /** @type {string | null} */
    this.selected = null;
    const refresh = h('button.icon-button', { type: 'button', title: 'Refresh', attrs: { 'aria-label': 'Refresh history' }, onclick: () => void this.refresh() }, icon('refresh', 16));
    this.element = h('section.history', h('div.section-head', h('h2', 'History'), refresh), this.list);
  }

  /** @param {string | null} id */
  select(id) {
    this.selected = id;
    for (const li of this.list.children) li.classList.toggle('selected', li instanceof HTMLElement && li.dataset.id === id);
  }

  async refresh() {
    clearTimeout(this.timer);
    let entries;
    try {
      entries = await this.api.history(30);
    } catch (err) {
      replace(this.list, h('li.muted', `Could not load the history: ${err instanceof Error ? err.message : String(err)}`));
      return;
    }
    if (!entries.length) replace(this.list, h('li.empty', 'No requests yet.'));
    else replace(this.list, entries.map((e) => this.#row(e)));
    if (entries.some((e) => e.status !== 'COMPLETED')) this.timer = window.setTimeout(() => void this.refresh(), 3000);
  }

  /** @param {HistoryEntry} e */
  #row(e) {
    const active = e.status !== 'COMPLETED';
    const cancel = active
      ? h('button.icon-button.danger', { type: 'button', title: 'Cancel', attrs: { 'aria-label': `Cancel ${e.request_id}` }, onclick: async (/** @type {Event} */ ev) => {
        ev.stopPropagation();
        /** @type {HTMLButtonElement} */ (ev.currentTarget).disabled = true;
        await this.api.cancel(e.cancel_url).catch(console.error);
        await this.refresh();
      } }, icon('stop', 14))
      : null;
    const pct = e.progress ? ` ${Math.round(e.progress.fraction * 100)} %` : '';
    const open = () => this.hooks.onOpen(e);
    return h('li.history-item', {
      dataset: { id: e.request_id, state: e.state, endpoint: e.endpoint_id }, tabIndex: 0, class: `history-item${e.request_id === this.selected ? ' selected' : ''}`,
      onclick: open, onkeydown: (/** @type {KeyboardEvent} */ ev) => { if (ev.key === 'Enter') open(); },
    },
    thumbnail(e),
    h('div.history-text',
      h('span.history-title', { title: e.endpoint_id }, this.hooks.titleOf(e.endpoint_id)),
      h('span.history-meta', h('span', { class: `chip tiny ${e.state}` }, `${LABELS[e.state] ?? e.state}${pct}`), ' ', ago(e.created_at))),
    cancel);
  }
}
