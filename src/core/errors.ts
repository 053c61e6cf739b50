/** One error type for the whole code base, with stable codes (DESIGN habit 6). */
export const ERROR_CODES = {
  INVALID_INPUT: 400,
  INVALID_NAME: 400,
  PROCFILE_INVALID: 400,
  NO_DOCKERFILE: 400,
  CONFIRMATION_REQUIRED: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  RATE_LIMITED: 429,
  APP_NOT_FOUND: 404,
  RELEASE_NOT_FOUND: 404,
  IMAGE_NOT_FOUND: 404,
  NOT_FOUND: 404,
  NODE_NOT_FOUND: 404,
  APP_EXISTS: 409,
  DEPLOY_IN_PROGRESS: 409,
  NO_RELEASE: 409,
  PORT_IN_USE: 409,
  NODE_BUSY: 409,
  NODE_UNREACHABLE: 409,
  SWARM_INCOMPATIBLE: 409,
  PAYLOAD_TOO_LARGE: 413,
  HOST_NOT_ALLOWED: 421,
  BUILD_FAILED: 422,
  HEALTHCHECK_FAILED: 422,
  CONTAINER_FAILED: 422,
  DOCKER_UNAVAILABLE: 503,
  HAPROXY_UNAVAILABLE: 503,
  REGISTRY_FAILED: 502,
  SERVER_UNAVAILABLE: 503,
  TIMEOUT: 504,
  ABORTED: 499,
  INTERNAL: 500,
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

export interface SlipwayErrorOptions {
  hint?: string;
  cause?: unknown;
  /** Structured, secret-free details (e.g. last probe results, last log lines). */
  details?: Record<string, unknown>;
}

export class SlipwayError extends Error {
  readonly code: ErrorCode;
  readonly hint?: string;
  readonly details?: Record<string, unknown>;

  constructor(code: ErrorCode, message: string, options: SlipwayErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'SlipwayError';
    this.code = code;
    this.hint = options.hint;
    this.details = options.details;
  }

  toJSON(): { code: ErrorCode; message: string; hint?: string; details?: Record<string, unknown> } {
    return { code: this.code, message: this.message, hint: this.hint, details: this.details };
  }
}

export function isSlipwayError(err: unknown): err is SlipwayError {
  return err instanceof SlipwayError;
}

export function httpStatusFor(code: ErrorCode): number {
  return ERROR_CODES[code];
}

/** Wraps anything thrown into a SlipwayError without losing an existing code. */
export function toSlipwayError(err: unknown): SlipwayError {
  if (err instanceof SlipwayError) return err;
  if (err instanceof Error && err.name === 'AbortError')
    return new SlipwayError('ABORTED', 'operation aborted', { cause: err });
  const message = err instanceof Error ? err.message : String(err);
  return new SlipwayError('INTERNAL', message, { cause: err });
}
