// The API key, asked for once and kept in this browser's localStorage (never sent anywhere but in
// the Authorization header of this server's API).
import { Api, ApiError } from './api.js';
import { h } from './dom.js';

const STORAGE_KEY = 'reelhouse.key';

/** @returns {string | null} */
export function storedKey() {
  try {
    return localStorage.getItem(STORAGE_KEY);
  } catch {
    return null;
  }
}

export function forgetKey() {
  localStorage.removeItem(STORAGE_KEY);
}

/**
 * Shows the key dialog until a key that works is given; resolves to it, kept for next time.
 * @param {string} [message] why we ask (a key that stopped working)
 * @returns {Promise<string>}
 */
export function askForKey(message) {
  return new Promise((resolve) => {
    const input = h('input#key-input', {
      type: 'password', autocomplete: 'off', spellcheck: false, placeholder: 'key_id:key_secret', required: true,
    });
    const error = h('p.field-error', { attrs: { role: 'alert' } });
    const save = h('button.primary', { type: 'submit' }, 'Save key');
    const form = h('form.key-form', { method: 'dialog' },
      h('h2', 'Your API key'),
      h('p.muted', message ?? 'The playground calls this server’s API with one of its keys. It is kept in this browser only.'),
      h('label', { htmlFor: 'key-input' }, 'Key'),
      input,
      error,
      h('p.hint', 'Make one with ', h('code', 'npx reelhouse keys create'), '.'),
      h('div.actions', save),
    );
    const dialog = h('dialog.key-dialog', form);
    // Esc would leave the page without a key: the dialog stays until one works.
    dialog.addEventListener('cancel', (e) => e.preventDefault());
    form.addEventListener('submit', (e) => void submit(e));
    /** @param {Event} e */
    const submit = async (e) => {
      e.preventDefault();
      const key = input.value.trim();
      if (!/^[^:\s]+:\S+$/.test(key)) {
        error.textContent = 'A key looks like key_id:key_secret.';
        return;
      }
      save.disabled = true;
      error.textContent = '';
      try {
        await new Api(key).history(1);
        localStorage.setItem(STORAGE_KEY, key);
        dialog.close();
        dialog.remove();
        resolve(key);
      } catch (err) {
        error.textContent = err instanceof ApiError && err.status === 401 ? 'This server does not know that key, or it was revoked.' : String(err);
      } finally {
        save.disabled = false;
      }
    };
    document.body.append(dialog);
    dialog.showModal();
    input.focus();
  });
}
