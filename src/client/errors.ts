/**
 * Errors the client raises. ApiError: the daemon answered with a status >= 400 and a `{"message": …}`
 * body. ConnectionError: the daemon could not be reached at all.
 */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
  /** The docker CLI's wording for any daemon error. */
  get display(): string {
    return `Error response from daemon: ${this.message}`;
  }
}

export class ConnectionError extends Error {
  constructor(
    readonly host: string,
    cause?: unknown,
  ) {
    super(`Cannot connect to the berth daemon at ${host}. Is the berth daemon running?`, { cause });
    this.name = 'ConnectionError';
  }
}

export function isNotFound(err: unknown): boolean {
  return err instanceof ApiError && err.status === 404;
}
