/**
 * The gpu module's public surface: the capability probe (also read by the page), the compute
 * worker's device root, model files and the buffer meter. onnxruntime-web is the module ./ort, so
 * that importing this index loads none of it.
 */
export type { GpuCapabilities } from './probe';
export { describeCapabilities, probeAdapter } from './probe';
export { GpuRoot } from './device';
export { fetchModel, hasModel } from './models';
export { startBufferMeter } from './buffer-meter';
