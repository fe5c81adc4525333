// The playground: pick an endpoint, fill its generated form, run it and watch it; the history of
// this key's requests beside it, and the same inputs as code in the API tab.
import { Api, ApiError, loadEndpoints } from './lib/api.js';
import { h, replace } from './lib/dom.js';
import { icon } from './lib/icons.js';
import { askForKey, forgetKey, storedKey } from './lib/key.js';
import { fieldsOf } from './lib/schema.js';
import { endpointForm } from './views/form.js';
import { HistoryView } from './views/history.js';
import { RunView } from './views/run.js';
import { SnippetView } from './views/snippet.js';

/** @typedef {import('./lib/api.js').EndpointInfo} EndpointInfo */

const root = /** @type {HTMLElement} */ (document.getElementById('app'));

async function main() {
  const api = new Api(storedKey() ?? (await askForKey()));
  // A kept key may have been revoked since: ask again rather than show a page that cannot work.
  await api.history(1).catch(async (err) => {
    if (!(err instanceof ApiError && err.status === 401)) throw err;
    forgetKey();
    api.key = await askForKey('The key kept in this browser no longer works here. Enter another one.');
  });
  const { public_url: publicUrl, endpoints } = await loadEndpoints();

  /** A key that stopped working is asked for again, once, and the action retried. @template T @param {() => Promise<T>} fn */
  const withKey = async (fn) => {
    try {
      return await fn();
    } catch (err) {
      if (!(err instanceof ApiError && err.status === 401)) throw err;
      forgetKey();
      api.key = await askForKey('That key no longer works here. Enter another one.');
      keyLabel.textContent = keyName(api.key);
      return fn();
    }
  };

  const run = new RunView(api, {
    onSettled: () => void history.refresh(),
    onFieldErrors: (endpointId, errors) => {
      if (current && (endpointId === null || endpointId === current.endpoint.id)) current.form.showErrors(errors);
    },
  });
  const history = new HistoryView(api, {
    onOpen: (e) => void openEntry(e),
    titleOf: (id) => endpoints.find((e) => e.id === id)?.title ?? id,
  });
  const snippets = new SnippetView(publicUrl);

  /** Enough of the key's id to tell keys apart; never the secret. @param {string} key */
  const keyName = (key) => `${(key.split(':')[0] ?? '').slice(0, 8)}…`;
  const keyLabel = h('code', keyName(api.key));
  const keyButton = h('button.ghost.small', { type: 'button', title: 'Use another key', onclick: async () => {
    forgetKey();
    api.key = await askForKey('Enter the key to use from now on.');
    keyLabel.textContent = keyName(api.key);
    await history.refresh();
  } }, icon('key', 14), keyLabel);

  const nav = h('nav.endpoint-list', { attrs: { 'aria-label': 'Endpoints' } });
  const title = h('h1');
  const idLine = h('code.endpoint-id');
  const formHost = h('div.tab-panel', { id: 'panel-input', attrs: { role: 'tabpanel' } });
  const apiHost = h('div.tab-panel', { id: 'panel-api', attrs: { role: 'tabpanel' }, hidden: true }, snippets.element);
  const formAlert = h('div.alert', { hidden: true, attrs: { role: 'alert' } });
  const runButton = h('button.primary', { type: 'button', title: 'Run (Ctrl+Enter)' }, icon('play', 16), 'Run');
  const resetButton = h('button.secondary', { type: 'button' }, 'Reset');
  const tabs = h('div.tabs', { attrs: { role: 'tablist' } });

  replace(root,
    h('header.topbar',
      h('a.brand', { href: '/' }, h('span.logo', icon('video', 18)), 'reelhouse', h('span.brand-sub', 'Playground')),
      h('span.spacer'),
      h('a.ghost.small.button', { href: '/docs', target: '_blank' }, icon('book', 14), 'Docs'),
      keyButton),
    h('div.layout',
      h('aside.sidebar', h('section', h('div.section-head', h('h2', 'Endpoints')), nav), history.element),
      h('main.workspace',
        h('div.endpoint-head', title, idLine),
        h('div.columns',
          h('section.card.input-card', tabs, formHost, apiHost, formAlert, h('div.card-foot', resetButton, h('span.spacer'), runButton)),
          h('section.card.output-card', h('div.card-title', h('h2', 'Output')), run.element)))));

  /** @type {{ endpoint: EndpointInfo, form: import('./views/form.js').EndpointForm } | null} */
  let current = null;
  const showApi = () => { if (current && !apiHost.hidden) snippets.show(current.endpoint.id, current.form.values().input); };

  /** @param {'input' | 'api'} which */
  const selectTab = (which) => {
    formHost.hidden = which !== 'input';
    apiHost.hidden = which !== 'api';
    for (const t of tabs.children) t.setAttribute('aria-selected', String(t instanceof HTMLElement && t.dataset.tab === which));
    showApi();
  };
  tabs.append(
    h('button.tab', { type: 'button', role: 'tab', dataset: { tab: 'input' }, onclick: () => selectTab('input') }, 'Input'),
    h('button.tab', { type: 'button', role: 'tab', dataset: { tab: 'api' }, onclick: () => selectTab('api') }, 'API'));

  /** @param {EndpointInfo} endpoint */
  const selectEndpoint = (endpoint) => {
    const fields = fieldsOf(endpoint.input, endpoint.file_fields, endpoint.example);
    const form = endpointForm(fields, (file, onProgress) => withKey(() => api.upload(file, onProgress)), showApi);
    current = { endpoint, form };
    title.textContent = endpoint.title;
    idLine.textContent = endpoint.id;
    replace(formHost, form.element);
    formAlert.hidden = true;
    for (const a of nav.querySelectorAll('.endpoint-link')) a.classList.toggle('active', a instanceof HTMLElement && a.dataset.id === endpoint.id);
    if (location.hash.slice(1) !== endpoint.id) history.select(null);
    window.history.replaceState(null, '', `#${endpoint.id}`);
    document.title = `${endpoint.title} · reelhouse playground`;
    selectTab('input');
  };

  // `Luma Ray 2 (Image to Video)` lists as `Image to Video` under `Luma Ray 2`: a family's endpoints stay together.
  /** @type {Map<string, HTMLElement>} */
  const groups = new Map();
  replace(nav);
  for (const e of endpoints) {
    const [, family = e.title, task = e.title] = /^(.*?) \((.*)\)$/.exec(e.title) ?? [];
    let group = groups.get(family);
    if (!group) {
      group = h('div.endpoint-group', h('h3', family));
      groups.set(family, group);
      nav.append(group);
    }
    group.append(h('a.endpoint-link', { href: `#${e.id}`, dataset: { id: e.id }, title: e.id, onclick: (/** @type {Event} */ ev) => {
      ev.preventDefault();
      selectEndpoint(e);
      run.idle();
    } }, h('span.endpoint-title', task)));
  }

  /** @param {import('./lib/api.js').HistoryEntry} entry */
  const openEntry = async (entry) => {
    const endpoint = endpoints.find((e) => e.id === entry.endpoint_id);
    if (endpoint) {
      selectEndpoint(endpoint);
      if (entry.input) current?.form.setValues(entry.input);
    }
    history.select(entry.request_id);
    await run.open(entry);
  };

  runButton.addEventListener('click', () => void runNow());
  const runNow = async () => {
    if (!current) return;
    const { endpoint, form } = current;
    form.clearErrors();
    formAlert.hidden = true;
    const { input, problems } = form.values();
    if (problems.length) { form.showErrors(problems); return; }
    runButton.disabled = true;
    try {
      const submitted = await withKey(() => api.submit(endpoint.id, input));
      history.select(submitted.request_id);
      void history.refresh();
      void run.follow({ ...submitted, endpoint_id: endpoint.id });
    } catch (err) {
      const unplaced = err instanceof ApiError ? form.showErrors(err.fieldErrors) : [];
      if (!(err instanceof ApiError) || !err.fieldErrors.length || unplaced.length) {
        formAlert.textContent = unplaced.length ? unplaced.map((e) => `${e.loc.join('.')}: ${e.msg}`).join('\n') : String(err instanceof Error ? err.message : err);
        formAlert.hidden = false;
      }
    } finally {
      runButton.disabled = false;
    }
  };
  // Ctrl+Enter (⌘+Enter) runs from anywhere in the form.
  formHost.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) { e.preventDefault(); void runNow(); }
  });
  resetButton.addEventListener('click', () => { current?.form.reset(); current?.form.clearErrors(); showApi(); });

  const first = endpoints.find((e) => e.id === decodeURIComponent(location.hash.slice(1))) ?? endpoints[0];
  if (first) selectEndpoint(first);
  await history.refresh();
}

main().catch((err) => {
  replace(root, h('div.alert.page-error', `The playground could not start: ${err instanceof Error ? err.message : String(err)}`));
});
