import { createStore, get, set } from 'idb-keyval';
import { POSE_TRACK_VERSION } from '../pose';
import type { PoseCache } from './types';

/**
 * Pose tracks cached in IndexedDB by file content and pose model, so a reload or a re-drop of the
 * same file does not recompute. A failing store reads as empty and drops writes.
 */
export function idbPoseCache(model: string): PoseCache {
  const db = () => createStore('motionpaste-pose', 'tracks');
  const keyOf = (fileKey: string) => `${fileKey}:${model}:v${POSE_TRACK_VERSION}`;
  return {
    async read(fileKey) {
      try {
        return await get(keyOf(fileKey), db());
      } catch {
        return undefined;
      }
    },
    async write(fileKey, value) {
      await set(keyOf(fileKey), value, db()).catch(() => undefined);
    },
  };
}
