// A user's TypeScript file: type-checked against the published declarations (dist/lib/*.d.ts)
// through the package's own name, as a dependent project would see them.
import { systemInfo, SslmemError, tensor, toNdarray, type SystemInfo, type Tensor } from 'sslmem';

const info: SystemInfo = systemInfo();
const t: Tensor<Float32Array> = tensor(new Float32Array(6), [2, 3]);
const view = toNdarray(t);
const error: SslmemError = new SslmemError('ERR_X', 'message');
export const checked: [string, number, string] = [info.kernels.simd, view.get(1, 2), error.code];
