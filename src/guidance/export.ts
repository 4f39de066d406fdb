import { bodyFrame, bodyModelMesh, modelSkeleton, openPoseFromBody, posedMesh, type BodyTrack } from '../body';
import { drawPoseMap, type PoseMapContext } from '../pose';
import { depthRange } from './encodings';
import { GuidanceRenderer, type GuidanceMap } from './renderer';

export type GuidanceKind = GuidanceMap | 'skeleton';

/** A guidance video to render: one map of a body track over a list of its frames. */
export interface GuidanceExportJob {
  kind: GuidanceKind;
  /** The retargeted body, in the reference camera. */
  body: BodyTrack;
  /** Body frame shown at each output frame. */
  frames: number[];
  /** Output size in pixels (even), the reference camera scaled to it. */
  width: number;
  height: number;
  /** Frame rate of the video, frames per second. */
  fps: number;
}

/**
 * Renders the frames of a guidance video one by one and hands each to `emit` (RGBA, output size).
 * Depth, normal and part maps come from the WebGPU renderer; the skeleton map is the OpenPose
 * drawing of the body's projected joints.
 */
export async function renderGuidance(
  device: GPUDevice | null,
  job: GuidanceExportJob,
  emit: (rgba: Uint8ClampedArray, index: number) => Promise<void>,
  isCanceled: () => boolean,
): Promise<void> {
  const { body, width, height } = job;
  const skel = modelSkeleton(body.shape, body.model);
  const scale = width / body.camera.width;
  const k = { fx: body.camera.focal * scale, fy: body.camera.focal * scale, cx: body.camera.cx * scale, cy: body.camera.cy * scale };
  if (job.kind === 'skeleton') {
    const canvas = new OffscreenCanvas(width, height);
    const g = canvas.getContext('2d', { willReadFrequently: true })!;
    for (let i = 0; i < job.frames.length; i++) {
      if (isCanceled()) throw new Error('canceled');
      const f = bodyFrame(body, job.frames[i]!);
      g.fillStyle = '#000';
      g.fillRect(0, 0, width, height);
      drawPoseMap(g as unknown as PoseMapContext, openPoseFromBody(skel, f.rotations, f.root, body.camera, scale), { scale: Math.min(width, height) / 512 });
      await emit(g.getImageData(0, 0, width, height).data, i);
    }
    return;
  }
  if (!device) throw new Error('Guidance maps need WebGPU, which this browser does not offer.');
  const mesh = bodyModelMesh(body.shape, body.model);
  const renderer = new GuidanceRenderer(device, width, height);
  try {
    for (let i = 0; i < job.frames.length; i++) {
      if (isCanceled()) throw new Error('canceled');
      const f = bodyFrame(body, job.frames[i]!);
      const posed = posedMesh(mesh, skel, f.rotations, f.root);
      renderer.setMesh({ positions: posed.positions, normals: posed.normals, indices: mesh.indices, parts: mesh.parts });
      renderer.render(k, depthRange(posed.positions));
      await emit(await renderer.read(job.kind), i);
    }
  } finally {
    renderer.dispose();
  }
}
