/**
 * Bridges an AbortSignal to native workers: the signal writes 1 into an Int32Array that the
 * worker polls between units of work (native/kernels/cancel.h). No JS runs on the worker thread.
 */
import { abortError, ErrorCodes } from './errors';
import { assertAbortSignal } from './validate';

export interface CancelFlag {
  /** Pass as `options.cancel` to native functions. */
  readonly flag: Int32Array;
  /** Detaches the listener; call when the job settles. */
  dispose(): void;
}

/** Throws an AbortError if the signal is already aborted; otherwise returns a flag for native code. */
export function cancelFlagFor(signal: AbortSignal | undefined, name = 'options.signal'): CancelFlag {
  const flag = new Int32Array(1);
  if (signal === undefined) return { flag, dispose() {} };
  assertAbortSignal(name, signal);
  if (signal.aborted) throw abortError(signal.reason);
  const onAbort = () => Atomics.store(flag, 0, 1);
  signal.addEventListener('abort', onAbort, { once: true });
  return { flag, dispose: () => signal.removeEventListener('abort', onAbort) };
}

/** Runs `job` with a cancel flag tied to `signal`, detaching the listener when it settles. */
export async function withCancel<T>(signal: AbortSignal | undefined, job: (flag: Int32Array) => Promise<T>, name?: string): Promise<T> {
  const cancel = cancelFlagFor(signal, name);
  try {
    return await job(cancel.flag);
  } catch (error) {
    if ((error as { code?: string }).code === ErrorCodes.aborted) throw abortError(signal?.reason);
    throw error;
  } finally {
    cancel.dispose();
  }
}
