/**
 * The state module's public surface: the editor's zustand store (a view of the project core in
 * the compute worker, plus what only the page has) and the actions components call.
 */
export {
  useEditor,
  type BodyModelState,
  type BodyState,
  type ClipState,
  type EditorState,
  type EngineChoice,
  type GuidanceExportState,
  type GuidanceKind,
  type Overlays,
  type PackState,
  type PoseState,
  type RefineSettings,
  type RenderState,
} from './editor';
export { framesAt, outputMotionFrames, timelineDuration, timelineFps, timelineOf } from './timeline';
export { dismissError, loadClip, removeClip, setAudio, setMapping, setMaxHeight, setOffset, setOverlay, setTrim, swapClips } from './clips';
export { frameFeeds, pause, play, seek, step, togglePlay } from './playback';
export { cancelGenerate, discardResumable, effectiveAudio, generate, generateBlocker, setEngine, setRefine } from './generate';
export { loadCachedPack, loadPack, loadSitePack, refreshPacks, removeCachedPack, unloadPack } from './packs';
export { followPerson } from './pose';
export { exportGuidance, loadBodyModel, posedBody, resetBodyModel, setPlacement } from './body';
export { startEditor } from './start';
export { etaSeconds, formatClock, formatSeconds } from './eta';
export type { FrameFeed } from './frame-feed';
export type { PlacementSettings } from '../project';
export { describeCapabilities, type GpuCapabilities } from '../gpu';
export { MAX_FILE_BYTES, type Slot, type ClipInfo, type AudioChoice, type TimeMapping } from '../media';
