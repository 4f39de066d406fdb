import { foundShare, heldObjectLabels, peopleInClip } from '../pose';
import { formatClock, useEditor, type Slot } from '../state';

const EP_LABEL = { webgpu: 'WebGPU', wasm: 'CPU (wasm)' } as const;

/** One line under a clip: pose analysis progress, or how well the person was found. */
export function PoseStatus({ slot }: { slot: Slot }) {
  const pose = useEditor((s) => s.pose[slot]);
  const ep = pose.ep ? EP_LABEL[pose.ep] : '';
  if (pose.status === 'queued') {
    return (
      <div className="pose-status" data-testid={`pose-status-${slot}`} data-status="queued">
        Pose analysis waits for the other clip to finish…
      </div>
    );
  }
  if (pose.status === 'running') {
    return (
      <div className="pose-status" data-testid={`pose-status-${slot}`} data-status="running">
        <span>
          {pose.done === 0 && !pose.follow ? 'Loading the pose models, then finding the person… ' : `Finding the person${pose.follow ? ' you clicked' : ''}… `}
          frame {pose.done}/{pose.total}
          {pose.etaS !== null ? ` · about ${formatClock(pose.etaS)} left` : ''}
          {ep ? ` · ${ep}` : ''}
        </span>
        <progress value={pose.done} max={Math.max(1, pose.total)} />
      </div>
    );
  }
  if (pose.status === 'failed') {
    return (
      <div className="pose-status bad" role="alert" data-testid={`pose-status-${slot}`} data-status="failed">
        {pose.error}
      </div>
    );
  }
  if (pose.status !== 'done' || !pose.track) return null;
  const share = foundShare(pose.track);
  const percent = Math.round(share * 100);
  const held = heldObjectLabels(pose.track);
  const { people, editing } = peopleInClip(pose.track);
  if (share === 0) {
    return (
      <div className="pose-status bad" role="alert" data-testid={`pose-status-${slot}`} data-status="done" data-found="0">
        No person found in this clip. Use a clip where one person is clearly visible, full body if possible.
      </div>
    );
  }
  return (
    <div
      className={`pose-status ${share < 0.5 ? 'warn' : ''}`}
      data-testid={`pose-status-${slot}`}
      data-status="done"
      data-found={share.toFixed(3)}
    >
      {people.length > 1 ? (
        <span data-testid={`people-${slot}`} data-people={people.length} data-editing={editing?.number ?? ''}>
          {people.length} people found: {editing ? `editing person ${editing.number}` : 'editing the person marked by the skeleton'} (click another to switch) ·{' '}
        </span>
      ) : null}
      Pose: person found in {percent}% of frames{share < 0.5 ? ' — tracking is weak; check the marked frames' : ''} · {ep}
      {pose.fromCache ? ' · from cache' : ` · ${pose.track.seconds.toFixed(1)} s`}
      {held.length ? ` · holds: ${held.join(', ')} (removed with the person)` : ''}
      {people.length > 1 ? '' : ' · click a person to follow someone else'}
    </div>
  );
}
