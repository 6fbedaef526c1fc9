/**
 * The distribution spec's error codes, each with its HTTP status and the message distribution 2.8 uses
 * (clients show these). The body is always {"errors":[{"code","message","detail"}]}.
 */
export const ErrorCodes = {
  BLOB_UNKNOWN: [404, 'blob unknown to registry'],
  BLOB_UPLOAD_INVALID: [400, 'blob upload invalid'],
  BLOB_UPLOAD_UNKNOWN: [404, 'blob upload unknown to registry'],
  DIGEST_INVALID: [400, 'provided digest did not match uploaded content'],
  MANIFEST_BLOB_UNKNOWN: [400, 'manifest blob unknown to registry'],
  MANIFEST_INVALID: [400, 'manifest invalid'],
  MANIFEST_UNKNOWN: [404, 'manifest unknown'],
  NAME_INVALID: [400, 'invalid repository name'],
  NAME_UNKNOWN: [404, 'repository name not known to registry'],
  SIZE_INVALID: [400, 'provided length did not match content length'],
  UNAUTHORIZED: [401, 'authentication required'],
  DENIED: [403, 'requested access to the resource is denied'],
  UNSUPPORTED: [405, 'The operation is unsupported.'],
  RANGE_INVALID: [416, 'invalid content range'],
  PAGINATION_NUMBER_INVALID: [400, 'invalid number of results requested'],
} as const satisfies Record<string, readonly [number, string]>;

export type ErrorCode = keyof typeof ErrorCodes;

export class RegistryError extends Error {
  readonly status: number;
  constructor(
    readonly code: ErrorCode,
    readonly detail?: unknown,
    message?: string,
  ) {
    super(message ?? ErrorCodes[code][1]);
    this.status = ErrorCodes[code][0];
  }

  body(): string {
    // distribution answers RANGE_INVALID as a BLOB_UPLOAD_INVALID with 416
    const code = this.code === 'RANGE_INVALID' ? 'BLOB_UPLOAD_INVALID' : this.code;
    return JSON.stringify({ errors: [{ code, message: this.message, detail: this.detail ?? null }] }) + '\n';
  }
}

export const regError = (code: ErrorCode, detail?: unknown, message?: string): RegistryError => new RegistryError(code, detail, message);
