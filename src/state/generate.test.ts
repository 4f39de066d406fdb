import { describe, expect, it } from 'vitest';
import type { ClipInfo } from '../media';
import type { BodyTrack } from '../body';
import { emptyClip, get, idleBody, idlePose, type EditorState } from './editor';
import { generateBlocker } from './generate';

const info = (id: string) => ({ id, name: `${id}.mp4` }) as unknown as ClipInfo;

/** Both clips loaded, both analyses done and both bodies fitted, unless a patch says otherwise. */
function state(patch: Partial<EditorState> = {}): EditorState {
  return {
    ...get(),
    clips: { reference: { ...emptyClip(), info: info('r'), status: 'ready' }, motion: { ...emptyClip(), info: info('m'), status: 'ready' } },
    pose: { reference: { ...idlePose(), status: 'done' }, motion: { ...idlePose(), status: 'done' } },
    body: { reference: { ...idleBody(), status: 'done' }, motion: { ...idleBody(), status: 'done' } },
    retargeted: {} as BodyTrack,
    engine: 'builtin',
    ...patch,
  };
}

describe('why Generate cannot run', () => {
  it('nothing when everything is ready; the first thing missing otherwise', () => {
    expect(generateBlocker(state())).toBeNull();
    expect(generateBlocker(state({ clips: { ...state().clips, motion: emptyClip() } }))).toBe('Load both clips to generate.');
    expect(generateBlocker(state({ retargeted: null }))).toBe('Waiting for the pose analysis and 3D body of both clips.');
    expect(generateBlocker(state({ body: { ...state().body, motion: { ...idleBody(), status: 'failed' } } }))).toMatch(/needs a person in both clips/);
    expect(generateBlocker(state({ engine: 'diffusion' }))).toBe('Load a model pack to use the diffusion engine.');
  });

  it('a failed pose analysis is named with its error and what to do, not waited on', () => {
    const failed = state({
      pose: { reference: { ...idlePose(), status: 'done' }, motion: { ...idlePose(), status: 'failed', error: 'Pose analysis failed: Decoding error.' } },
      body: { reference: { ...idleBody(), status: 'done' }, motion: idleBody() },
      retargeted: null,
    });
    expect(generateBlocker(failed)).toBe(
      'The pose analysis of the motion clip failed (Pose analysis failed: Decoding error.): load an intact copy of it or another clip. The preview engine needs no pose.',
    );
    // The preview engine does not need the pose.
    expect(generateBlocker({ ...failed, engine: 'preview' })).toBeNull();
  });
});
