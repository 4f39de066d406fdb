/**
 * The GPU test harness: a page built only for the browser tests (MOTIONPASTE_TEST_HARNESS=1, see
 * vite.config.ts), never shipped with the app. It renders known scenes with the app's own GPU
 * parts on the page's WebGPU device and hands the pixels to the specs, which check them.
 */
import { GpuRoot } from '../../src/gpu';
import { appearanceSelfTest } from './appearance';
import { compositeSelfTest } from './composite';
import { guidanceSelfTest } from './guidance';

async function device(): Promise<GPUDevice> {
  const root = await GpuRoot.create();
  if (!root.device) throw new Error(root.caps.reason ?? 'no WebGPU device');
  return root.device;
}

const ready = device();
const selfTests = {
  guidance: async () => guidanceSelfTest(await ready),
  composite: async () => compositeSelfTest(await ready),
  appearance: async () => appearanceSelfTest(await ready),
};
export type SelfTests = typeof selfTests;

Object.assign(globalThis, { motionpasteSelfTest: selfTests });
ready.then(
  () => (document.getElementById('status')!.textContent = 'ready'),
  (e: Error) => (document.getElementById('status')!.textContent = `no GPU device: ${e.message}`),
);
