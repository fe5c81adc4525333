// A file field: drop a file (or choose one, or paste a URL); it is uploaded through the storage
// protocol at once and the field's value becomes the file's URL, shown with a preview.
import { h, replace } from '../lib/dom.js';
import { icon } from '../lib/icons.js';

/**
 * @typedef {{ element: HTMLElement, value: () => string, setValue: (url: string) => void,
 *   busy: () => boolean }} FileInput
 */

/** @type {Record<string, string>} */
const ARTICLE = { image: 'an image', video: 'a video', audio: 'an audio file' };

/** The last path segment of a URL, for a caption. @param {string} url */
function fileNameOf(url) {
  const last = url.split('?')[0]?.split('/').pop() || url;
  try {
    return decodeURIComponent(last);
  } catch {
    return last;
  }
}

/** @param {number} n */
const size = (n) => (n < 1024 * 1024 ? `${Math.ceil(n / 1024)} KB` : `${(n / 1024 / 1024).toFixed(1)} MB`);

/**
 * @param {import('../lib/schema.js').Field} field
 * @param {(file: File, onProgress: (f: number) => void) => Promise<string>} upload
 * @param {() => void} onChange
 * @returns {FileInput}
 */
export function dropzone(field, upload, onChange) {
  let url = '';
  let uploading = false;
  const kind = field.accept.split('/')[0] || 'file';
  const picker = h('input.visually-hidden', { type: 'file', accept: field.accept, id: `field-${field.name}`, tabIndex: -1 });
  const urlInput = h('input.url-input', { type: 'url', placeholder: 'or paste a URL', attrs: { 'aria-label': `${field.label} URL` } });
  const zone = h('div.dropzone', { tabIndex: 0, attrs: { role: 'button', 'aria-label': `Upload ${field.label}` }, dataset: { field: field.name } });
  const element = h('div.file-field', zone, urlInput);

  /** @type {string | null} the object URL of the dropped file's preview, released when replaced */
  let local = null;
  const release = () => { if (local) URL.revokeObjectURL(local); local = null; };

  /** @param {string} src @param {string} caption */
  function showPreview(src, caption) {
    const fallback = () => h('div.preview.file-icon', icon('file', 40));
    const media = kind === 'video'
      ? h('video.preview', { src, muted: true, playsInline: true, preload: 'metadata' })
      : kind === 'image' ? h('img.preview', { src, alt: caption }) : fallback();
    // Not a picture this browser can show (the server will say what it thinks of it): an icon instead.
    media.addEventListener('error', () => media.replaceWith(fallback()));
    const remove = h('button.icon-button', { type: 'button', title: 'Remove', attrs: { 'aria-label': `Remove ${field.label}` }, onclick: (/** @type {Event} */ e) => {
      e.stopPropagation();
      setValue('');
      onChange();
    } }, icon('close', 16));
    zone.classList.add('has-file');
    replace(zone, media, h('div.file-caption', h('span.file-name', caption), remove));
  }

  function showEmpty() {
    zone.classList.remove('has-file');
    replace(zone,
      h('div.drop-icon', icon(kind === 'video' ? 'video' : kind === 'image' ? 'image' : 'upload', 28)),
      h('div.drop-text', h('strong', `Drop ${ARTICLE[kind] ?? 'a file'} here`), h('span', ' or click to choose')),
    );
  }

  /** @param {string} next */
  function setValue(next) {
    release();
    url = next;
    urlInput.value = next.startsWith('data:') ? '' : next;
    if (next) showPreview(next, next.startsWith('data:') ? 'inline data' : fileNameOf(next));
    else showEmpty();
  }

  /** @param {File} file */
  async function take(file) {
    uploading = true;
    const bar = h('div.bar-fill');
    zone.classList.remove('has-file');
    replace(zone, h('div.drop-text', h('strong', `Uploading ${file.name}`), h('span', ` ${size(file.size)}`)), h('div.bar.small', bar));
    try {
      const fileUrl = await upload(file, (f) => { bar.style.width = `${Math.round(f * 100)}%`; });
      url = fileUrl;
      urlInput.value = fileUrl;
      release();
      local = URL.createObjectURL(file);
      showPreview(local, `${file.name} · ${size(file.size)}`);
    } catch (err) {
      url = '';
      urlInput.value = '';
      showEmpty();
      zone.append(h('p.field-error', `Upload failed: ${err instanceof Error ? err.message : String(err)}`));
    } finally {
      uploading = false;
      onChange();
    }
  }

  zone.addEventListener('click', () => picker.click());
  zone.addEventListener('keydown', (e) => { if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); picker.click(); } });
  picker.addEventListener('change', () => { const f = picker.files?.[0]; if (f) void take(f); picker.value = ''; });
  for (const type of ['dragenter', 'dragover']) {
    zone.addEventListener(type, (e) => { e.preventDefault(); zone.classList.add('dragging'); });
  }
  zone.addEventListener('dragleave', () => zone.classList.remove('dragging'));
  zone.addEventListener('drop', (e) => {
    e.preventDefault();
    zone.classList.remove('dragging');
    const f = e.dataTransfer?.files[0];
    if (f) void take(f);
  });
  urlInput.addEventListener('change', () => { setValue(urlInput.value.trim()); onChange(); });
  element.append(picker);
  showEmpty();

  return { element, value: () => url, setValue, busy: () => uploading };
}
