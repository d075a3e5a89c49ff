/** Raw native functions of the torch tier beyond torchInfo (encoders, training, evaluation). */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface TorchNative {}
