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

/**
 * Every error code sslmem throws, TS and native alike: the one table (issue 12). C++ cannot import
 * it, so native/ writes the same strings; test/architecture/error-codes.test.ts checks that every
 * `ERR_SSLMEM_*` in lib/ and native/ is here and in docs/errors.md (when each is thrown, which class),
 * and that every entry here is thrown somewhere.
 */
export const ErrorCodes = {
  /** An argument has the wrong type (a TypeError). */
  invalidType: 'ERR_SSLMEM_INVALID_TYPE',
  /** An argument has the right type but a value out of range (a RangeError). */
  outOfRange: 'ERR_SSLMEM_OUT_OF_RANGE',
  /** A file exists but its content is not what its format says. */
  corruptFile: 'ERR_SSLMEM_CORRUPT_FILE',
  /** A file or directory that is needed does not exist. */
  fileNotFound: 'ERR_SSLMEM_FILE_NOT_FOUND',
  /** An output file or directory could not be written (missing parent, no permission, disk full). */
  writeFailed: 'ERR_SSLMEM_WRITE_FAILED',
  /** The torch tier addon is not built or does not load. */
  torchMissing: 'ERR_SSLMEM_TORCH_MISSING',
  /** The kernel tier addon is not built. */
  kernelsMissing: 'ERR_SSLMEM_KERNELS_MISSING',
  /** A CUDA device was asked for but this build or machine has none. */
  cudaUnavailable: 'ERR_SSLMEM_CUDA_UNAVAILABLE',
  /** Two inputs that must agree do not (dataset fingerprint, manifest, shards, checkpoint). */
  mismatch: 'ERR_SSLMEM_MISMATCH',
  /** A model file loads but is not an encoder sslmem can use (architecture, shapes, forward). */
  incompatibleModel: 'ERR_SSLMEM_INCOMPATIBLE_MODEL',
  /** A native object was used after dispose(). */
  disposed: 'ERR_SSLMEM_DISPOSED',
  /** Training produced a non-finite loss. */
  diverged: 'ERR_SSLMEM_DIVERGED',
  /** A native job ran out of memory (std::bad_alloc). */
  outOfMemory: 'ERR_SSLMEM_OUT_OF_MEMORY',
  /** Ranks of a distributed job disagree or a collective failed. */
  distributed: 'ERR_SSLMEM_DISTRIBUTED',
  /** The torch tier was built without distributed support (c10d). */
  distributedUnavailable: 'ERR_SSLMEM_DISTRIBUTED_UNAVAILABLE',
  /** Any other native failure (a C++ exception without a code of its own). */
  native: 'ERR_SSLMEM_NATIVE',
  /** An AbortSignal stopped the job (Node's own code for AbortError). */
  aborted: 'ABORT_ERR',
} as const;

/** One of the codes in {@link ErrorCodes}. */
export type ErrorCode = (typeof ErrorCodes)[keyof typeof ErrorCodes];

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
