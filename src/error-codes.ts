/**
 * Every error code the API can return, with its status and meaning: one catalogue. AppError
 * takes only these codes, the error handler maps everything else onto them, and the OpenAPI
 * error schema lists them as an enum, so a client can switch on `code` exhaustively.
 */
export const ERROR_CODES = {
  // 400
  VALIDATION_ERROR: { status: 400, description: 'a field of the body, query, path or headers is invalid; details name each field' },
  INVALID_TEXT: { status: 400, description: 'a string contains a NUL character or a lone UTF-16 surrogate; details name the field' },
  INVALID_JSON: { status: 400, description: 'the body is not valid JSON' },
  BAD_REQUEST: { status: 400, description: 'the HTTP request itself is malformed' },
  // 401, 403, 404
  UNAUTHORIZED: { status: 401, description: 'no, an expired or an invalid access token; or wrong credentials' },
  FORBIDDEN: { status: 403, description: 'a member of the course without the role this needs' },
  CSRF_ORIGIN_MISMATCH: {
    status: 403,
    description: "a request using the session cookie must carry an Origin header naming this server's origin or one of CORS_ORIGINS",
  },
  NOT_FOUND: { status: 404, description: 'no such resource, or not one the caller may see (ids cannot be probed)' },
  ROUTE_NOT_FOUND: { status: 404, description: 'no route for this method and path' },
  INVITE_INVALID: { status: 404, description: 'the invite code is unknown, revoked, expired or used up' },
  LTI_UNKNOWN_PLATFORM: { status: 400, description: 'no LTI registration matches the issuer (and client id) of the login or launch' },
  LTI_LAUNCH_REFUSED: {
    status: 401,
    description:
      'the LTI launch did not verify: its id_token (signature, issuer, audience, expiry, nonce, deployment, message type, version), its state, or its one-time code',
  },
  LTI_NOT_AVAILABLE: { status: 409, description: 'the LTI link or context has no such service (no line item, no memberships URL), or nothing to launch into' },
  LTI_PLATFORM_FAILED: { status: 502, description: 'the LTI platform answered a call of the tool with an error or something unreadable' },
  // 408, 413, 415, 429, 431
  REQUEST_TIMEOUT: { status: 408, description: 'the request (headers and body) was not received in time' },
  PAYLOAD_TOO_LARGE: { status: 413, description: 'the body is larger than the limit' },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, description: 'the body is not application/json' },
  RATE_LIMITED: { status: 429, description: 'too many requests; retry after the time in the retry-after header' },
  HEADERS_TOO_LARGE: { status: 431, description: 'the request headers are too large' },
  // 409
  CONFLICT: { status: 409, description: 'a record with these values already exists, or a related one does not' },
  EMAIL_TAKEN: { status: 409, description: 'an account with this email already exists' },
  COURSE_CODE_TAKEN: { status: 409, description: 'the course code is in use' },
  ALREADY_MEMBER: { status: 409, description: 'the user is already a member of the course' },
  LAST_INSTRUCTOR: { status: 409, description: 'a course must keep at least one instructor' },
  EXAM_FROZEN: { status: 409, description: 'only drafts can be edited' },
  INVALID_TRANSITION: { status: 409, description: 'the exam cannot move to this status from its current one' },
  EXAM_NOT_AVAILABLE: { status: 409, description: 'the exam is not published, or archived' },
  EXAM_NOT_OPEN: { status: 409, description: 'the exam has not opened yet' },
  EXAM_CLOSED: { status: 409, description: 'the exam has closed' },
  ATTEMPTS_EXHAUSTED: { status: 409, description: 'every allowed attempt is used' },
  ATTEMPT_CONFLICT: { status: 409, description: 'another attempt was started at the same moment; retry' },
  ATTEMPT_FINISHED: { status: 409, description: 'the attempt is finished' },
  DEADLINE_PASSED: { status: 409, description: "the attempt's deadline has passed; nothing was stored" },
  GRADED_AT_FINISH: { status: 409, description: 'this exam grades saved answers when the attempt finishes' },
  ALREADY_CORRECT: { status: 409, description: 'the question is already answered correctly' },
  NO_TRIES_LEFT: { status: 409, description: 'every try of the question is used' },
  QUESTION_ENDED: { status: 409, description: 'the question is answered correctly or out of tries; nothing more can be saved for it' },
  TRY_CONFLICT: { status: 409, description: 'the question changed while the try was graded; read the attempt and retry' },
  ALREADY_SUBMITTED: { status: 409, description: 'the practice variant was already graded' },
  PRACTICE_LOCKED: { status: 409, description: 'practice of this problem is closed while an exam of the course that uses it is open' },
  TEMPLATE_EXISTS: { status: 409, description: 'the course already has a template with this id' },
  SELF_TEST_REQUIRED: { status: 409, description: 'a template version is published only after it passed a self-test' },
  TEMPLATE_ARCHIVED: { status: 409, description: 'the template is archived; restore it first' },
  BLUEPRINT_UNSATISFIABLE: { status: 422, description: "the exam's pools cannot fill every section" },
  // 422
  TEMPLATE_ID_MISMATCH: { status: 422, description: "a new version must keep the template's id" },
  BUNDLE_INVALID: { status: 422, description: 'the bundle is not YAML documents each holding one template; details name each document' },
  ANSWER_FORMAT: {
    status: 422,
    description:
      'an answer could not be read as a number, fraction, list or choice; it was not graded and no try was counted (statistics count it as a format error)',
  },
  UNKNOWN_PARTS: { status: 422, description: 'answers name parts the question does not have; nothing was stored' },
  IDEMPOTENCY_KEY_REUSED: { status: 422, description: 'the Idempotency-Key was already used with a different request' },
  POOL_INVALID: { status: 422, description: 'a pool names templates, topics or tags that do not exist' },
  POINTS_OUT_OF_RANGE: { status: 422, description: "points must be between 0 and the question's maximum" },
  TEMPLATE_UNSATISFIABLE: { status: 422, description: 'the template could not produce a variant' },
  TEMPLATE_INVALID: { status: 422, description: 'the template does not validate' },
  EXPRESSION_INVALID: { status: 422, description: 'an expression cannot be parsed, is not allowed, or fails to evaluate' },
  CONSTRAINTS_UNSATISFIABLE: { status: 422, description: "the template's constraints rejected every draw" },
  PART_UNKNOWN: { status: 422, description: 'the template has no such answer part' },
  ANSWERS_INVALID: { status: 422, description: 'the answers cannot be graded (too many fields)' },
  REGRADE_FAILED: { status: 422, description: 'the regrade could not recompute or grade a stored variant' },
  TEMPLATE_REQUIRED: { status: 422, description: 'grading needs the template version the variant was made from' },
  TEMPLATE_TIMEOUT: { status: 422, description: "the template's computation ran past its time limit in the sandbox (a loop, or work far too slow)" },
  TEMPLATE_MEMORY: { status: 422, description: "the template's computation ran past its memory limit in the sandbox (e.g. a huge matrix)" },
  TEMPLATE_TOO_DEEP: {
    status: 422,
    description: 'the template or one of its expressions nests too deeply (stack limit, or the nesting limit of YAML and content)',
  },
  TEMPLATE_TOO_LARGE: { status: 422, description: 'the template source or content is larger than the sandbox accepts (bytes, nodes or string length)' },
  // 5xx
  INTERNAL: { status: 500, description: 'a server fault (logged, details not returned)' },
  DATABASE_UNAVAILABLE: { status: 503, description: 'the database is unavailable; retry shortly' },
  SHUTTING_DOWN: { status: 503, description: 'the server is shutting down; retry shortly' },
  SANDBOX_BUSY: { status: 503, description: 'every template sandbox worker is busy and the queue is full or waited too long; retry shortly' },
  EXPIRY_IN_PAST: { status: 422, description: "an API key's expiry is not in the future" },
  SANDBOX_FAILED: { status: 500, description: 'a template sandbox worker failed for a reason other than a limit (logged)' },
} as const satisfies Record<string, { status: number; description: string }>;

export type ErrorCode = keyof typeof ERROR_CODES;

export const ERROR_CODE_LIST = Object.keys(ERROR_CODES) as [ErrorCode, ...ErrorCode[]];

export function isErrorCode(code: unknown): code is ErrorCode {
  return typeof code === 'string' && Object.hasOwn(ERROR_CODES, code);
}
