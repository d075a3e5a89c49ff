/**
 * Errors thrown by sslmem. Types are wrong: TypeError; values out of range: RangeError; runtime
 * failures (corrupt file, missing torch tier, native failure): {@link SslmemError}. Every one has
 * a stable `code` and a message "Expected X for NAME but received Y" (STYLE.md rule 6).
 */

/** A runtime failure with a stable machine-readable `code`. */
export class SslmemError extends Error {
  readonly code: string;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'SslmemError';
    this.code = code;
  }
}

/** Stable error codes. Native errors use the same strings. */
export const ErrorCodes = {
  invalidType: 'ERR_SSLMEM_INVALID_TYPE',
  outOfRange: 'ERR_SSLMEM_OUT_OF_RANGE',
  corruptFile: 'ERR_SSLMEM_CORRUPT_FILE',
  fileNotFound: 'ERR_SSLMEM_FILE_NOT_FOUND',
  torchMissing: 'ERR_SSLMEM_TORCH_MISSING',
  kernelsMissing: 'ERR_SSLMEM_KERNELS_MISSING',
  cudaUnavailable: 'ERR_SSLMEM_CUDA_UNAVAILABLE',
  mismatch: 'ERR_SSLMEM_MISMATCH',
  native: 'ERR_SSLMEM_NATIVE',
  aborted: 'ABORT_ERR',
} as const;

/** Short description of a value for error messages: "a Float64Array of length 3", "NaN", ... */
export function describe(value: unknown): string {
  if (value === undefined) return 'undefined';
  if (value === null) return 'null';
  if (typeof value === 'number') return Number.isNaN(value) ? 'NaN' : `the number ${value}`;
  if (typeof value === 'string') return `the string ${JSON.stringify(value.length > 60 ? value.slice(0, 57) + '...' : value)}`;
  if (typeof value === 'boolean') return String(value);
  if (typeof value === 'bigint') return `the bigint ${value}`;
  if (typeof value === 'function') return 'a function';
  if (ArrayBuffer.isView(value)) {
    const name = value.constructor.name;
    const length = 'length' in value ? (value as unknown as { length: number }).length : value.byteLength;
    return `a ${name} of length ${length}`;
  }
  if (Array.isArray(value)) return `an array of length ${value.length}`;
  return 'an object';
}

function message(name: string, expected: string, received: unknown, receivedIsText: boolean): string {
  return `Expected ${expected} for ${name} but received ${receivedIsText ? String(received) : describe(received)}`;
}

/** TypeError with code ERR_SSLMEM_INVALID_TYPE. */
export function invalidType(name: string, expected: string, received: unknown): TypeError {
  const error = new TypeError(message(name, expected, received, false)) as TypeError & { code: string };
  error.code = ErrorCodes.invalidType;
  return error;
}

/** RangeError with code ERR_SSLMEM_OUT_OF_RANGE. `received` is described unless already text. */
export function outOfRange(name: string, expected: string, received: unknown, receivedIsText = false): RangeError {
  const error = new RangeError(message(name, expected, received, receivedIsText)) as RangeError & { code: string };
  error.code = ErrorCodes.outOfRange;
  return error;
}

/** The error thrown when an AbortSignal stops a job (name AbortError, code ABORT_ERR). */
export function abortError(reason?: unknown): Error {
  const error = new SslmemError(ErrorCodes.aborted, 'The operation was aborted', { cause: reason });
  error.name = 'AbortError';
  return error;
}

/**
 * Awaits a native promise and, if it rejects, appends the JS call-site stack to the native
 * error so users see where they called from (native errors have no JS frames of their own).
 */
export async function withCallSite<T>(promise: Promise<T>): Promise<T> {
  const site = new Error('call site');
  try {
    return await promise;
  } catch (error) {
    if (error instanceof Error && site.stack) {
      error.stack = `${error.name}: ${error.message}\n${site.stack.split('\n').slice(2).join('\n')}`;
    }
    throw error;
  }
}
