import { useEffect, useRef } from 'react';
import { frameFeeds, type Slot } from '../state';
import { PoseOverlay } from './PoseOverlay';

/** The current frame of one clip with its pose overlay. Keeps the last picture until the next one arrives. */
export function FramePane({ slot, width, height }: { slot: Slot; width: number; height: number }) {
  const canvasRef = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    const canvas = canvasRef.current;
    if (!canvas) return;
    return frameFeeds[slot].subscribe((bitmap, index) => {
      if (canvas.width !== bitmap.width || canvas.height !== bitmap.height) {
        canvas.width = bitmap.width;
        canvas.height = bitmap.height;
      }
      canvas.getContext('2d')!.drawImage(bitmap, 0, 0);
      canvas.dataset.frame = String(index);
    });
  }, [slot]);
  return (
    <div className="pane" style={{ aspectRatio: `${width} / ${height}` }}>
      <canvas ref={canvasRef} className="frame" data-testid={`frame-${slot}`} width={width} height={height} />
      <PoseOverlay slot={slot} width={width} height={height} />
    </div>
  );
}
