/** Raw native functions of the alignment capability (filled in by the alignment kernels). */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface AlignNative {}
