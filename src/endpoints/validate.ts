// Turns schema failures into fal's (pydantic's) error list, so the official client raises a
// ValidationError whose fieldErrors name the field exactly as fal would.
import type { z } from 'zod';
import { ValidationError, type FieldError } from '../errors.ts';

const TYPE_WORDS: Record<string, { msg: string; type: string }> = {
  string: { msg: 'str type expected', type: 'type_error.str' },
  boolean: { msg: 'value could not be parsed to a boolean', type: 'type_error.bool' },
  int: { msg: 'value is not a valid integer', type: 'type_error.integer' },
  number: { msg: 'value is not a valid number', type: 'type_error.number' },
  object: { msg: 'value is not a valid dict', type: 'type_error.dict' },
  array: { msg: 'value is not a valid list', type: 'type_error.list' },
};

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let v = input;
  for (const key of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<PropertyKey, unknown>)[key];
  }
  return v;
}

function toFieldError(issue: z.core.$ZodIssue, input: unknown): FieldError {
  const loc: (string | number)[] = ['body', ...issue.path.map((p) => (typeof p === 'number' ? p : String(p)))];
  if (issue.code === 'invalid_type') {
    if (issue.path.length > 0 && valueAt(input, issue.path) === undefined) {
      return { loc, msg: 'field required', type: 'value_error.missing' };
    }
    const word = TYPE_WORDS[issue.expected] ?? { msg: issue.message, type: `type_error.${issue.expected}` };
    return { loc, ...word };
  }
  if (issue.code === 'invalid_value') {
    const permitted = issue.values.map((v) => `'${String(v)}'`).join(', ');
    return { loc, msg: `value is not a valid enumeration member; permitted: ${permitted}`, type: 'type_error.enum' };
  }
  if (issue.code === 'too_small' || issue.code === 'too_big') {
    return { loc, msg: issue.message, type: issue.code === 'too_small' ? 'value_error.number.not_ge' : 'value_error.number.not_le' };
  }
  return { loc, msg: issue.message, type: 'value_error' };
}

/** Parses `input` with `schema`, applying defaults; throws a fal-shaped 422 on failure. */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  throw new ValidationError(result.error.issues.map((i) => toFieldError(i, input)));
}
