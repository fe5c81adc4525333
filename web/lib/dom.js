// Building DOM without a framework: `h('button.primary', { onclick }, 'Run')`. Text is always set
// as text, never parsed as HTML, so values from requests can be shown as they are.

/**
 * @typedef {string | number | Node | null | undefined | false} Child
 * @typedef {Record<string, unknown>} Props
 */

/**
 * An element from a tag with optional `.class`es and `#id`, properties (`on…` are listeners,
 * `dataset` and `attrs` are attribute maps) and children.
 * @template {keyof HTMLElementTagNameMap} K
 * @param {K | `${K}.${string}` | `${K}#${string}`} spec
 * @param {Props | Child | Child[]} [props]
 * @param {...(Child | Child[])} children
 * @returns {HTMLElementTagNameMap[K]}
 */
export function h(spec, props, ...children) {
  const [tagAndId = 'div', ...classes] = String(spec).split('.');
  const [tag = 'div', id] = tagAndId.split('#');
  const el = /** @type {HTMLElementTagNameMap[K]} */ (document.createElement(tag));
  if (id) el.id = id;
  if (classes.length) el.className = classes.join(' ');
  if (isProps(props)) setProps(el, props);
  else if (props !== undefined) children.unshift(props);
  append(el, children);
  return el;
}

/** @param {unknown} v @returns {v is Props} */
function isProps(v) {
  return typeof v === 'object' && v !== null && !(v instanceof Node) && !Array.isArray(v);
}

/** @param {HTMLElement} el @param {Props} props */
function setProps(el, props) {
  for (const [k, v] of Object.entries(props)) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), /** @type {EventListener} */ (v));
    else if (k === 'dataset') Object.assign(el.dataset, v);
    else if (k === 'attrs') for (const [a, av] of Object.entries(/** @type {Record<string, string>} */ (v))) el.setAttribute(a, av);
    else if (k === 'class') el.className = /** @type {string} */ (v);
    else /** @type {Record<string, unknown>} */ (/** @type {unknown} */ (el))[k] = v;
  }
}

/** @param {Node} parent @param {(Child | Child[])[]} children */
export function append(parent, children) {
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    parent.appendChild(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}

/** Replaces an element's children. @param {Element} el @param {...(Child | Child[])} children */
export function replace(el, ...children) {
  el.replaceChildren();
  append(el, children);
}

/** `3 s ago`, `5 min ago`, or a date. @param {string} iso */
export function ago(iso) {
  const s = Math.max(0, (Date.now() - Date.parse(iso)) / 1000);
  if (s < 60) return `${Math.floor(s)} s ago`;
  if (s < 3600) return `${Math.floor(s / 60)} min ago`;
  if (s < 86400) return `${Math.floor(s / 3600)} h ago`;
  return new Date(iso).toLocaleDateString();
}

/** Copies text and briefly says so on the button. @param {HTMLButtonElement} button @param {string} text */
export async function copyFrom(button, text) {
  const label = button.textContent;
  try {
    await navigator.clipboard.writeText(text);
    button.textContent = 'Copied';
  } catch {
    button.textContent = 'Select and copy';
  }
  setTimeout(() => { button.textContent = label; }, 1500);
}
