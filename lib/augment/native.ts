/** Raw native functions of the augmentation capability (filled in by the augmentation kernels). */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface AugmentNative {}
