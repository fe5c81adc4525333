// An endpoint's input JSON Schema (generated on the server from the very zod schema that validates
// requests) turned into the fields of a form. Nothing here knows any endpoint: a new one gets its
// form from its schema alone.

/**
 * @typedef {{ type?: string | string[], enum?: unknown[], const?: unknown, default?: unknown, description?: string,
 *   title?: string, minimum?: number, maximum?: number, exclusiveMinimum?: number, exclusiveMaximum?: number,
 *   multipleOf?: number, minLength?: number, maxLength?: number, properties?: Record<string, JsonSchema>,
 *   required?: string[], anyOf?: JsonSchema[], oneOf?: JsonSchema[], items?: JsonSchema, format?: string }} JsonSchema
 *
 * @typedef {'text' | 'textarea' | 'number' | 'boolean' | 'enum' | 'file' | 'json'} FieldKind
 *
 * @typedef {{ name: string, label: string, kind: FieldKind, required: boolean, description: string,
 *   default: unknown, options: unknown[], integer: boolean, min: number | undefined, max: number | undefined,
 *   step: number | undefined, accept: string, placeholder: string }} Field
 */

/**
 * The schema without its `null` alternative: `anyOf: [X, {type: 'null'}]` and `type: [X, 'null']`
 * are both an optional X to a form.
 * @param {JsonSchema} s @returns {JsonSchema}
 */
function withoutNull(s) {
  const alts = s.anyOf ?? s.oneOf;
  if (alts) {
    const rest = alts.filter((a) => a.type !== 'null');
    if (rest.length === 1 && rest[0]) return { ...rest[0], description: s.description ?? rest[0].description, default: s.default ?? rest[0].default };
    // A union of constants is one enum.
    if (rest.every((a) => a.const !== undefined || a.enum)) {
      return { ...s, anyOf: undefined, oneOf: undefined, enum: rest.flatMap((a) => a.enum ?? [a.const]) };
    }
    return s;
  }
  if (Array.isArray(s.type)) {
    const types = s.type.filter((t) => t !== 'null');
    return { ...s, type: types.length === 1 ? types[0] : types };
  }
  return s;
}

/** `end_image_url` → `End image URL`; a file field drops its `_url`. @param {string} name @param {boolean} file */
export function labelOf(name, file) {
  const words = (file ? name.replace(/_urls?$/, '') : name).split('_').filter(Boolean);
  const text = words.map((w) => (w === 'url' ? 'URL' : w === 'id' ? 'ID' : w)).join(' ');
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** What a file field accepts, from its name. @param {string} name */
function acceptOf(name) {
  if (/image|frame|mask/.test(name)) return 'image/*';
  if (/video/.test(name)) return 'video/*';
  if (/audio/.test(name)) return 'audio/*';
  return '';
}

/** @param {JsonSchema} s @param {string} name @param {boolean} file @returns {FieldKind} */
function kindOf(s, name, file) {
  if (file) return 'file';
  if (s.enum) return 'enum';
  if (s.const !== undefined) return 'enum';
  if (s.type === 'boolean') return 'boolean';
  if (s.type === 'number' || s.type === 'integer') return 'number';
  if (s.type === 'string') return /prompt|description|text/.test(name) || (s.maxLength ?? 0) > 200 ? 'textarea' : 'text';
  return 'json';
}

/**
 * The form fields of an input schema, in the schema's order.
 * @param {JsonSchema} schema @param {readonly string[]} fileFields
 * @param {Record<string, unknown> | null} example shown as placeholders, never as values
 * @returns {Field[]}
 */
export function fieldsOf(schema, fileFields, example) {
  const required = new Set(schema.required ?? []);
  return Object.entries(schema.properties ?? {}).map(([name, raw]) => {
    const s = withoutNull(raw);
    const file = fileFields.includes(name);
    const kind = kindOf(s, name, file);
    const sample = example?.[name];
    return {
      name,
      label: s.title ?? labelOf(name, file),
      kind,
      required: required.has(name),
      description: s.description ?? '',
      default: s.default,
      options: s.enum ?? (s.const !== undefined ? [s.const] : []),
      integer: s.type === 'integer',
      min: s.minimum ?? s.exclusiveMinimum,
      max: s.maximum ?? s.exclusiveMaximum,
      step: s.multipleOf ?? (s.type === 'integer' ? 1 : undefined),
      accept: file ? acceptOf(name) : '',
      placeholder: typeof sample === 'string' && !file ? sample : kind === 'json' && sample !== undefined ? JSON.stringify(sample) : '',
    };
  });
}
