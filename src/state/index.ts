export {
  useEditor,
  frameFeeds,
  timelineOf,
  timelineDuration,
  timelineFps,
  framesAt,
  outputMotionFrames,
  loadClip,
  removeClip,
  swapClips,
  dismissError,
  seek,
  step,
  setTrim,
  setOffset,
  setMapping,
  setAudio,
  setMaxHeight,
  setOverlay,
  play,
  pause,
  togglePlay,
  generate,
  cancelGenerate,
  discardResumable,
  effectiveAudio,
  startEditor,
  setEngine,
  loadPack,
  unloadPack,
  type EngineChoice,
  type PackState,
  type ClipState,
  type EditorState,
  type RenderState,
  type Overlays,
} from './store';
export { followPerson, type PoseState } from './pose';
export { etaSeconds, formatClock, formatSeconds } from './eta';
export type { FrameFeed } from './frame-feed';
export { describeCapabilities, type GpuCapabilities } from '../gpu';
export { MAX_FILE_BYTES, type Slot, type ClipInfo, type AudioChoice, type TimeMapping } from '../media';
export { exportGuidance, posedBody, resetBodyModel, setPlacement, loadBodyModel, type BodyModelState, type BodyState, type GuidanceExportState, type GuidanceKind, type PlacementSettings } from './body';
