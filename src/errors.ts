// The few error types a user can cause. Thrown anywhere, turned into fal-shaped HTTP bodies in
// exactly one place (src/http/errors.ts), so every route answers the same way.

/** One entry of fal's (pydantic's) validation error list. */
export interface FieldError {
  loc: (string | number)[];
  msg: string;
  type: string;
}

/** An error with an HTTP status and a JSON body of fal's shape. */
export class HttpError extends Error {
  readonly status: number;
  readonly body: Record<string, unknown>;
  readonly headers: Record<string, string>;

  constructor(status: number, body: Record<string, unknown>, headers: Record<string, string> = {}) {
    super(typeof body.detail === 'string' ? body.detail : `HTTP ${status}`);
    this.status = status;
    this.body = body;
    this.headers = headers;
  }
}

/** 422 with `detail: [{loc, msg, type}]`, which the client raises as `ValidationError`. */
export class ValidationError extends HttpError {
  readonly errors: FieldError[];

  constructor(errors: FieldError[]) {
    super(422, { detail: errors });
    this.errors = errors;
    this.message = errors.map((e) => `${e.loc.join('.')}: ${e.msg}`).join('; ');
  }

  static field(field: string, msg: string, type = 'value_error'): ValidationError {
    return new ValidationError([{ loc: ['body', field], msg, type }]);
  }
}

export const notFound = (detail: string): HttpError => new HttpError(404, { detail });
export const unauthorized = (detail: string): HttpError => new HttpError(401, { detail });
export const badRequest = (detail: string): HttpError => new HttpError(400, { detail });
