/**
 * Error kinds. Every error berth raises on purpose is an EngineError of one of these kinds; the API
 * layer turns the kind into an HTTP status with httpStatusFromError() and never picks a status by hand.
 * Messages use Docker's wording, because clients (docker CLI, docker-py, compose) match on it.
 */
export type ErrorKind =
  | 'NotFound'
  | 'InvalidArgument'
  | 'Conflict'
  | 'NotModified'
  | 'Unauthorized'
  | 'Forbidden'
  | 'Unavailable'
  | 'NotImplemented'
  | 'Internal';

export class EngineError extends Error {
  readonly kind: ErrorKind;
  constructor(kind: ErrorKind, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.kind = kind;
    this.name = `${kind}Error`;
  }
}

export const notFound = (message: string): EngineError => new EngineError('NotFound', message);
export const invalidArgument = (message: string): EngineError => new EngineError('InvalidArgument', message);
export const conflict = (message: string): EngineError => new EngineError('Conflict', message);
export const notModified = (message = ''): EngineError => new EngineError('NotModified', message);
export const unauthorized = (message: string): EngineError => new EngineError('Unauthorized', message);
export const forbidden = (message: string): EngineError => new EngineError('Forbidden', message);
export const unavailable = (message: string): EngineError => new EngineError('Unavailable', message);
export const notImplemented = (message: string): EngineError => new EngineError('NotImplemented', message);
export const internal = (message: string, cause?: unknown): EngineError => new EngineError('Internal', message, { cause });

export function isKind(err: unknown, kind: ErrorKind): boolean {
  return err instanceof EngineError && err.kind === kind;
}

const statusByKind: Record<ErrorKind, number> = {
  NotFound: 404,
  InvalidArgument: 400,
  Conflict: 409,
  NotModified: 304,
  Unauthorized: 401,
  Forbidden: 403,
  Unavailable: 503,
  NotImplemented: 501,
  Internal: 500,
};

/** The one place an error becomes an HTTP status. Unknown errors are 500. */
export function httpStatusFromError(err: unknown): number {
  return err instanceof EngineError ? statusByKind[err.kind] : 500;
}

/** The inverse, for the client: a status from the daemon back to a kind. */
export function kindFromHttpStatus(status: number): ErrorKind {
  for (const [kind, s] of Object.entries(statusByKind)) if (s === status) return kind as ErrorKind;
  return 'Internal';
}
