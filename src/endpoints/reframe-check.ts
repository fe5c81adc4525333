// What submit can say about a reframe box without the video: each crop bound pair in order. Where
// the box and the grid position fall on the actual frames is checked by the runner once the
// source is probed (a 422 naming the field, like this one).
import { ValidationError, type FieldError } from '../errors.ts';

const PAIRS = [['x_start', 'x_end'], ['y_start', 'y_end']] as const;

export function checkReframeBox(input: Record<string, unknown>): void {
  const errors: FieldError[] = [];
  for (const [start, end] of PAIRS) {
    const a = input[start];
    const b = input[end];
    if (typeof a === 'number' && typeof b === 'number' && b <= a) {
      errors.push({ loc: ['body', end], msg: `${end} (${b}) must be greater than ${start} (${a})`, type: 'value_error' });
    }
  }
  if (errors.length > 0) throw new ValidationError(errors);
}
