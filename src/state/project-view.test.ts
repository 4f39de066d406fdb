import { describe, expect, it } from 'vitest';
import { emptyTrack } from '../pose';
import { idlePoseStage, type PoseStage } from '../project';
import type { ClipInfo, Slot } from '../media';
import { emptyClip, get, idleBody, idlePose, set } from './editor';
import { applyProjectEvent } from './project-view';

const info = (id: string) => ({ id, name: `${id}.mp4` }) as unknown as ClipInfo;
const stage = (clipId: string | null, patch: Partial<PoseStage> = {}): PoseStage => ({ ...idlePoseStage(), clipId, ...patch });

function loaded(reference: string, motion: string) {
  set({
    clips: { reference: { ...emptyClip(), info: info(reference) }, motion: { ...emptyClip(), info: info(motion) } },
    pose: { reference: idlePose(), motion: idlePose() },
    body: { reference: idleBody(), motion: idleBody() },
  });
}

describe("the store as the project core's view", () => {
  it('keeps a track that arrived once while later events of the same clip carry none', () => {
    loaded('a', 'b');
    const track = emptyTrack(3, 10, 10, 4, 'fake', 'wasm');
    applyProjectEvent({ type: 'pose', slot: 'reference', stage: stage('a', { status: 'done' }), track });
    applyProjectEvent({ type: 'pose', slot: 'reference', stage: stage('a', { status: 'done', fromCache: true }) });
    expect(get().pose.reference.track).toBe(track);
    applyProjectEvent({ type: 'pose', slot: 'reference', stage: stage('a', { status: 'queued' }) });
    expect(get().pose.reference.track).toBeNull();
  });

  it("lands an event of a clip swapped meanwhile in the clip's new slot, and drops one of a clip no longer loaded", () => {
    // The page swapped the clips; the core's event still names the old slot.
    loaded('b', 'a');
    applyProjectEvent({ type: 'pose', slot: 'reference', stage: stage('a', { status: 'running', done: 2 }) });
    expect(get().pose.motion).toMatchObject({ clipId: 'a', status: 'running', done: 2 });
    expect(get().pose.reference.clipId).not.toBe('a');
    const before = get().pose;
    applyProjectEvent({ type: 'pose', slot: 'motion', stage: stage('gone', { status: 'done' }) });
    expect(get().pose).toBe(before);
  });

  it('applies body and retargeted events', () => {
    loaded('a', 'b');
    const slot: Slot = 'motion';
    applyProjectEvent({ type: 'body', slot, stage: { status: 'failed', clipId: 'b', error: 'The 3D body could not be fitted: no person' } });
    expect(get().body.motion).toMatchObject({ status: 'failed', error: 'The 3D body could not be fitted: no person', track: null });
    applyProjectEvent({ type: 'retargeted', track: null, coverage: null, framing: null });
    expect(get().retargeted).toBeNull();
  });
});
