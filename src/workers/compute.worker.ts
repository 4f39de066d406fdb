/// <reference lib="webworker" />
import * as Comlink from 'comlink';
import { GpuRoot } from '../gpu/device';
import { probeAdapter, type GpuCapabilities } from '../gpu/probe';

/** The compute worker: owns the WebGPU device. For now it answers the capability probe. */
let root: Promise<GpuRoot> | null = null;
const getRoot = () => (root ??= GpuRoot.create());

const api = {
  async probe(): Promise<GpuCapabilities> {
    try {
      return (await getRoot()).caps;
    } catch (e) {
      root = null;
      const { caps } = await probeAdapter();
      return { ...caps, available: false, reason: `The GPU device could not be created: ${(e as Error).message}` };
    }
  },
};

export type ComputeWorkerApi = typeof api;
Comlink.expose(api);
