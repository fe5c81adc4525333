// The input form of one endpoint, generated from its fields: enums as selects, booleans as
// switches, numbers with their bounds, file fields as drop zones. Errors show at their field,
// whether the page found them (bad JSON, an upload still running) or the server did (a 422).
import { h, replace } from '../lib/dom.js';
import { dropzone } from './dropzone.js';

/**
 * @typedef {import('../lib/schema.js').Field} Field
 * @typedef {import('../lib/api.js').FieldError} FieldError
 * @typedef {{ read: () => { value?: unknown, problem?: string }, write: (v: unknown) => void }} Control
 * @typedef {{ element: HTMLFormElement, values: () => { input: Record<string, unknown>, problems: FieldError[] },
 *   setValues: (input: Record<string, unknown>) => void, reset: () => void, showErrors: (errors: FieldError[]) => FieldError[],
 *   clearErrors: () => void }} EndpointForm
 */

/** @param {Field} f @param {string} id @param {() => void} onChange @returns {{ input: HTMLElement, control: Control }} */
function plainControl(f, id, onChange) {
  if (f.kind === 'boolean') {
    const box = h('input', { type: 'checkbox', id, role: 'switch', onchange: onChange });
    const input = h('label.switch', box, h('span.track', h('span.knob')), h('span.switch-label', f.label));
    return { input, control: { read: () => ({ value: box.checked }), write: (v) => { box.checked = v === true; } } };
  }
  if (f.kind === 'enum') {
    // No default: nothing is chosen until the user chooses (a required one is then asked for by the server).
    const select = h('select', { id, onchange: onChange },
      f.default !== undefined ? null : h('option', { value: '' }, f.required ? 'Choose…' : '—'),
      f.options.map((o, i) => h('option', { value: String(i) }, String(o))));
    return {
      input: select,
      control: {
        read: () => (select.value === '' ? {} : { value: f.options[Number(select.value)] }),
        write: (v) => { const i = f.options.indexOf(v); select.value = i >= 0 ? String(i) : ''; },
      },
    };
  }
  if (f.kind === 'number') {
    const input = h('input', { type: 'number', id, inputMode: f.integer ? 'numeric' : 'decimal', oninput: onChange });
    if (f.min !== undefined) input.min = String(f.min);
    if (f.max !== undefined) input.max = String(f.max);
    input.step = f.step !== undefined ? String(f.step) : 'any';
    const bounds = f.min !== undefined && f.max !== undefined ? `${f.min} – ${f.max}` : f.min !== undefined ? `≥ ${f.min}` : f.max !== undefined ? `≤ ${f.max}` : '';
    return {
      input: h('div.number', input, bounds ? h('span.bounds', bounds) : null),
      control: {
        read: () => {
          if (input.value.trim() === '') return input.validity.badInput ? { problem: 'Not a number' } : {};
          return { value: Number(input.value) };
        },
        write: (v) => { input.value = typeof v === 'number' ? String(v) : ''; },
      },
    };
  }
  const multiline = f.kind === 'textarea' || f.kind === 'json';
  const input = multiline
    ? h('textarea', { id, rows: f.kind === 'json' ? 4 : 3, placeholder: f.placeholder, oninput: onChange, spellcheck: f.kind !== 'json' })
    : h('input', { type: 'text', id, placeholder: f.placeholder, oninput: onChange });
  if (f.kind === 'json') {
    input.classList.add('mono');
    return {
      input,
      control: {
        read: () => {
          if (input.value.trim() === '') return {};
          try {
            return { value: JSON.parse(input.value) };
          } catch {
            return { problem: 'Not valid JSON' };
          }
        },
        write: (v) => { input.value = v === undefined ? '' : JSON.stringify(v, null, 2); },
      },
    };
  }
  return { input, control: { read: () => (input.value === '' ? {} : { value: input.value }), write: (v) => { input.value = typeof v === 'string' ? v : ''; } } };
}

/**
 * @param {Field[]} fields
 * @param {(file: File, onProgress: (f: number) => void) => Promise<string>} upload
 * @param {() => void} onChange
 * @returns {EndpointForm}
 */
export function endpointForm(fields, upload, onChange) {
  /** @type {Map<string, { control: Control, error: HTMLElement, row: HTMLElement }>} */
  const byName = new Map();
  const element = h('form.endpoint-form', { noValidate: true });

  for (const f of fields) {
    const id = `field-${f.name}`;
    let control;
    let input;
    if (f.kind === 'file') {
      const zone = dropzone(f, upload, onChange);
      input = zone.element;
      control = {
        read: () => (zone.busy() ? { problem: 'Still uploading' } : zone.value() ? { value: zone.value() } : {}),
        write: (/** @type {unknown} */ v) => zone.setValue(typeof v === 'string' ? v : ''),
      };
    } else {
      ({ input, control } = plainControl(f, id, onChange));
    }
    const error = h('p.field-error', { id: `${id}-error`, attrs: { role: 'alert' } });
    const label = f.kind === 'boolean' ? null : h('label.field-label', { htmlFor: id }, f.label, f.required ? h('span.required', { title: 'required' }, ' *') : null);
    // The form is a two-column grid in the schema's order; text areas take a whole row.
    const wide = f.kind === 'textarea' || f.kind === 'json';
    const row = h(wide ? 'div.field.wide' : 'div.field', { dataset: { field: f.name, kind: f.kind } }, label, input,
      f.description ? h('p.help', f.description) : null, error);
    byName.set(f.name, { control, error, row });
    element.append(row);
  }

  const reset = () => {
    for (const f of fields) byName.get(f.name)?.control.write(f.default);
  };
  const clearErrors = () => {
    for (const { error, row } of byName.values()) {
      replace(error);
      row.classList.remove('invalid');
    }
  };
  reset();

  return {
    element,
    reset,
    clearErrors,
    values: () => {
      /** @type {Record<string, unknown>} */
      const input = {};
      /** @type {FieldError[]} */
      const problems = [];
      for (const [name, { control }] of byName) {
        const { value, problem } = control.read();
        if (problem) problems.push({ loc: ['body', name], msg: problem, type: 'value_error' });
        else if (value !== undefined) input[name] = value;
      }
      return { input, problems };
    },
    setValues: (input) => {
      reset();
      for (const [name, value] of Object.entries(input)) byName.get(name)?.control.write(value);
    },
    // Shows each error at its field (`loc` is ['body', field, …]); returns those that name no field.
    showErrors: (errors) => {
      /** @type {FieldError[]} */
      const unplaced = [];
      for (const e of errors) {
        const name = String(e.loc[0] === 'body' ? e.loc[1] : e.loc[0]);
        const target = byName.get(name);
        if (!target) { unplaced.push(e); continue; }
        const rest = e.loc.slice(e.loc[0] === 'body' ? 2 : 1);
        target.row.classList.add('invalid');
        target.error.append(h('span', rest.length ? `${rest.join('.')}: ${e.msg}` : e.msg));
      }
      element.querySelector('.field.invalid')?.scrollIntoView({ block: 'nearest' });
      return unplaced;
    },
  };
}
