// The registry of coded errors. Every error a user can see carries a stable `SG_ERR_*` code,
// an HTTP status (for errors that reach an API client) and a message template, the way Fastify
// keeps its FST_ERR_* codes in one file: grep a code, find its one definition.

export interface ErrorDetail {
  /** JSON-pointer-like path of the offending field, e.g. `/items/3/value`. */
  field?: string;
  message: string;
}

export class GridOpsError extends Error {
  readonly code: string;
  readonly statusCode: number;
  readonly details: ErrorDetail[];
  readonly retryAfterSeconds: number | undefined;

  constructor(
    code: string,
    statusCode: number,
    message: string,
    opts: { details?: ErrorDetail[]; cause?: unknown; retryAfterSeconds?: number } = {},
  ) {
    super(message, { cause: opts.cause });
    this.name = 'GridOpsError';
    this.code = code;
    this.statusCode = statusCode;
    this.details = opts.details ?? [];
    this.retryAfterSeconds = opts.retryAfterSeconds;
  }
}

type Template = (...args: string[]) => string;

interface ErrorSpec {
  status: number;
  message: Template;
}

function define<T extends Record<string, ErrorSpec>>(specs: T): T {
  return specs;
}

/** Every coded error, by code. Add new codes here only. */
export const ERRORS = define({
  SG_ERR_CONFIG_INVALID: { status: 500, message: (key, why) => `invalid configuration ${key}: ${why}` },
  SG_ERR_CONFIG_FILE: { status: 500, message: (file, why) => `cannot read config file ${file}: ${why}` },
  SG_ERR_CLI_USAGE: { status: 400, message: (why) => why },
  SG_ERR_UNKNOWN_TARGET: {
    status: 500,
    message: (name, known) => `unknown target "${name}"; known: ${known}`,
  },
  SG_ERR_MODULE_START: { status: 500, message: (name, why) => `module ${name} failed to start: ${why}` },
  SG_ERR_TOPOLOGY_INVALID: { status: 400, message: (where, why) => `invalid topology at ${where}: ${why}` },
  SG_ERR_UNAUTHORIZED: {
    status: 401,
    message: () => 'missing or invalid API key (send "Authorization: Bearer <key>")',
  },
  SG_ERR_BODY_INVALID: { status: 400, message: (why) => `request body rejected: ${why}` },
  SG_ERR_BODY_TOO_LARGE: { status: 413, message: (limit) => `request body exceeds ${limit} bytes` },
  SG_ERR_BATCH_TOO_LARGE: {
    status: 413,
    message: (n, limit) => `batch has ${n} items; the limit is ${limit}`,
  },
  SG_ERR_UNSUPPORTED_MEDIA_TYPE: {
    status: 415,
    message: (type) => `unsupported content type "${type}"; send application/json or application/x-ndjson`,
  },
  SG_ERR_VALIDATION: { status: 422, message: (n) => `${n} item(s) failed validation; nothing was stored` },
  SG_ERR_OVERLOADED: {
    status: 503,
    message: (why) => `overloaded: ${why}; retry after the Retry-After delay`,
  },
  SG_ERR_NOT_READY: { status: 503, message: (why) => `not ready: ${why}` },
  SG_ERR_QUERY_INVALID: { status: 400, message: (why) => `invalid query: ${why}` },
  SG_ERR_NOT_FOUND: { status: 404, message: (what) => `${what} not found` },
  SG_ERR_STORE: { status: 500, message: (why) => `store failure: ${why}` },
  SG_ERR_BUS: { status: 500, message: (why) => `bus failure: ${why}` },
  SG_ERR_BUS_UNAVAILABLE: {
    status: 503,
    message: (why) =>
      `the bus did not take the batch (${why}); nothing was acknowledged, retry after the Retry-After delay`,
  },
  SG_ERR_SLO_INVALID: { status: 400, message: (n) => `${n} problem(s) in the OpenSLO specs` },
  SG_ERR_MIXIN_DRIFT: {
    status: 500,
    message: (files) => `compiled rules differ from their sources (${files}); run gridops slo generate`,
  },
  SG_ERR_RULES_LINT: { status: 400, message: (n) => `${n} rule lint problem(s)` },
  SG_ERR_TOOL_MISSING: {
    status: 500,
    message: (tool, pkg) => `${tool} not found on PATH; install the Debian package ${pkg}`,
  },
});

export type ErrorCode = keyof typeof ERRORS;

/** Builds the coded error `code` with the template's arguments. */
export function gridError(
  code: ErrorCode,
  args: string[] = [],
  opts: { details?: ErrorDetail[]; cause?: unknown; retryAfterSeconds?: number } = {},
): GridOpsError {
  const spec: ErrorSpec = ERRORS[code];
  return new GridOpsError(code, spec.status, spec.message(...args), opts);
}

export function isGridOpsError(err: unknown): err is GridOpsError {
  return err instanceof GridOpsError;
}
