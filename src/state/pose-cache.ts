import { createStore, get, set } from 'idb-keyval';
import { POSE_TRACK_VERSION, type PoseTrack } from '../pose';

/** Pose tracks cached by file content, so a reload or a re-drop of the same file does not recompute. */
const db = () => createStore('motionpaste-pose', 'tracks');

export interface CachedPose {
  track: PoseTrack;
  follow: { frame: number; x: number; y: number } | null;
}

const keyOf = (fileKey: string, model: string) => `${fileKey}:${model}:v${POSE_TRACK_VERSION}`;

export async function readPose(fileKey: string, model: string): Promise<CachedPose | undefined> {
  try {
    return await get<CachedPose>(keyOf(fileKey, model), db());
  } catch {
    return undefined;
  }
}

export async function writePose(fileKey: string, model: string, value: CachedPose): Promise<void> {
  await set(keyOf(fileKey, model), value, db()).catch(() => undefined);
}
