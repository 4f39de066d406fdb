import { useEffect } from 'react';
import { startEditor, swapClips, useEditor } from '../state';
import { BodyPanel } from './BodyPanel';
import { ClipPanel } from './ClipPanel';
import { GeneratePanel } from './GeneratePanel';
import { GpuStatus } from './GpuStatus';
import { ResultPanel } from './ResultPanel';
import { Timeline } from './Timeline';

export function App() {
  const restoring = useEditor((s) => s.restoring);
  const canSwap = useEditor((s) => Boolean(s.clips.reference.info || s.clips.motion.info));
  useEffect(() => {
    void startEditor();
  }, []);
  return (
    <div className="app" data-testid="app" data-restoring={restoring}>
      <header className="topbar">
        <h1>
          motion<span>paste</span>
        </h1>
        <p className="muted">Put the movement of one video onto the person of another — on your GPU, nothing uploaded.</p>
        <GpuStatus />
      </header>
      <main>
        <div className="clips">
          <ClipPanel slot="reference" />
          <button
            type="button"
            className="swap"
            onClick={() => void swapClips()}
            disabled={!canSwap}
            data-testid="swap"
            title="Swap reference and motion"
            aria-label="Swap reference and motion"
          >
            ⇄
          </button>
          <ClipPanel slot="motion" />
        </div>
        <Timeline />
        <BodyPanel />
        <GeneratePanel />
        <ResultPanel />
      </main>
    </div>
  );
}
