/**
 * Errors the engine throws at authors and callers. Each carries a stable `code` and a `path`
 * naming where the problem is (a template field such as `answers[1].expr`, or a part id), so
 * the CLI and the API can say what and where without parsing messages.
 */
export class EngineError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly path: string = '',
  ) {
    super(path ? `${path}: ${message}` : message);
    this.name = new.target.name;
  }
}

/** A template that does not match the schema, or whose expressions do not compile. */
export class TemplateError extends EngineError {
  constructor(
    message: string,
    path = '',
    readonly issues: { path: string; message: string }[] = [],
  ) {
    super('TEMPLATE_INVALID', message, path);
  }
}

/** An expression that cannot be parsed, uses a forbidden construct, or fails to evaluate. */
export class ExpressionError extends EngineError {
  constructor(
    message: string,
    path = '',
    readonly position?: number,
  ) {
    super('EXPRESSION_INVALID', message, path);
  }
}

/** A template whose constraints rejected every draw within its retry budget. */
export class ConstraintError extends EngineError {
  constructor(message: string, path = '') {
    super('CONSTRAINTS_UNSATISFIABLE', message, path);
  }
}
