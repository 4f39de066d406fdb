/**
 * `PoseTracker`: BlazePose over a sequence of frames, for one person.
 *
 * Per frame (MediaPipe's pose tracking scheme):
 * 1. If there is a ROI from the previous frame, run the landmark model on it. If there is none,
 *    or its pose flag is below `minPoseScore`, run the detector on the letterboxed frame (and, for
 *    a followed person, on zoomed-in squares; see `follow`), pick one person (most prominent, or
 *    the followed one) and run the landmark model on their ROI.
 *    A ROI that is upside down is also tried the other way up, and the upright reading kept unless
 *    the other scores clearly better: a person read head-for-feet would otherwise stay so, since
 *    each frame's ROI comes from the last frame's landmarks.
 * 2. Landmarks → source pixels; visibility = sigmoid; world landmarks rotated back to the frame's
 *    axes; the ROI for the next frame from auxiliary landmarks 33 / 34.
 * 3. Optional hands: the hand landmark model on crops around each pose wrist; the hand takes the
 *    anatomical side of the wrist it was cropped from.
 * 4. Optional face: when the pose's head faces the camera (`headFacesCamera`), the face mesh model
 *    on the followed person's face: on the ROI from the previous frame's mesh while the face is
 *    tracked (MediaPipe's scheme), else (or when that crop loses the face) on the ROI from the
 *    pose's head keypoints; the 68 iBUG / DWPose points are read off the mesh. One model run per
 *    frame in the common case.
 * 5. Optional One Euro smoothing of keypoints across frames, restarted on every re-detection.
 *
 * Pure TypeScript over typed arrays: it runs in a worker and in Node. Models are `ModelRunner`s.
 */
import { BLAZEPOSE_DETECTOR_ANCHORS, generateSsdAnchors } from './anchors';
import { checkImage, cropToSource, letterboxToTensor, projectCropPoints, resampleProbability, warpToTensor, type Border, type Point } from './crop';
import { decodeDetections, sigmoid, weightedNms } from './detect';
import { PoseModelError } from './errors';
import { ON_POSE, SAME_READ, detectionReach, followCost, meanReads, poseClick, segmentDistance, torsoGap, type PoseClick } from './follow';
import { FACE68_POINTS, faceMeshTo68, faceRoiFromMesh, faceRoiFromPose, runFaceMesh } from './face';
import { BLAZEPOSE_KEYPOINTS, BLAZEPOSE_STRIDE, BP, HAND_KEYPOINTS } from './layouts';
import { DETECTOR_IO, HAND_IO, LANDMARK_IO } from './models';
import { DEFAULT_ONE_EURO, KeypointSmoother, type OneEuroParams } from './one-euro';
import { handRoiFromLandmarks, handRoiFromPose, normalizeRadians, poseRoiFromDetection, poseRoiFromLandmarks, type HandSide } from './roi';
import type { Detection, FacePose, HandPose, ModelRunner, PoseFrame, RgbaImage, Roi } from './types';

export interface PoseTrackerModels {
  /** BlazePose person detector (`blazepose-detector`). */
  detector: ModelRunner;
  /** BlazePose landmarks (`blazepose-lite` / `-full` / `-heavy`); must return landmarks and the pose flag, world and mask when available. */
  landmarks: ModelRunner;
  /** Hand landmarks (`handlandmark-full`); hands are skipped without it. */
  hand?: ModelRunner;
  /** Face mesh (`facemesh`); the face is skipped without it (older installs have no such model). */
  face?: ModelRunner;
}

export interface PoseTrackerOptions {
  /** Minimum detector score in [0, 1]. Default 0.5. */
  minDetectionScore?: number;
  /**
   * Minimum detector score when searching zoomed-in regions around a followed point or a followed
   * person's last position, in [0, 1]. Lower than `minDetectionScore` because the user pointed
   * there and the landmark model's pose flag still has to confirm. Default 0.3.
   */
  minFollowScore?: number;
  /** Pose flag below which the person counts as lost and the frame re-detects, in [0, 1]. Default 0.5. */
  minPoseScore?: number;
  /** Hand flag below which a hand is dropped, in [0, 1]. Default 0.5. */
  minHandScore?: number;
  /** IoU above which detections merge in non-maximum suppression. Default 0.3. */
  nmsIouThreshold?: number;
  /** One Euro smoothing of keypoints across frames. Default true. */
  smoothing?: boolean;
  /** One Euro parameters; speeds are measured in body (or hand) sizes per second. */
  smoothingParams?: Partial<OneEuroParams>;
  /** Run the hand model. Default true when a hand runner is given. */
  hands?: boolean;
  /** Run the face mesh model. Default true when a face runner is given. */
  face?: boolean;
  /** Face mesh flag below which the face is dropped, in [0, 1]. Default 0.5. */
  minFaceScore?: number;
  /**
   * Run the hand model a second time on a ROI fitted to the first pass's hand landmarks. Doubles
   * the hand cost; it did not lower the error on the test clips, hence off by default.
   */
  refineHands?: boolean;
  /** Side of `PoseFrame.mask` in pixels; 0 for no mask. Default 128. */
  maskSize?: number;
  /** Fill outside the frame in landmark crops. Default 'zero'. */
  landmarkBorder?: Border;
  /** Value range of the hand model's input. Default [0, 1] (MediaPipe's). */
  handInputRange?: readonly [number, number];
}

type ResolvedOptions = Required<Omit<PoseTrackerOptions, 'smoothingParams'>> & { smoothingParams: OneEuroParams };

const ANCHORS = generateSsdAnchors(BLAZEPOSE_DETECTOR_ANCHORS);

function probability(name: string, v: number | undefined, fallback: number): number {
  const x = v ?? fallback;
  if (!(x >= 0 && x <= 1)) throw new RangeError(`options.${name}, when provided, must be a number in [0, 1]; got ${v}.`);
  return x;
}

function resolveOptions(models: PoseTrackerModels, o: PoseTrackerOptions): ResolvedOptions {
  const maskSize = o.maskSize ?? 128;
  if (!(Number.isInteger(maskSize) && maskSize >= 0 && maskSize <= 1024)) {
    throw new RangeError(`options.maskSize, when provided, must be an integer in [0, 1024]; got ${o.maskSize}.`);
  }
  const hands = o.hands ?? models.hand !== undefined;
  if (hands && !models.hand) throw new RangeError('options.hands is true but no hand model runner was given (models.hand).');
  const face = o.face ?? models.face !== undefined;
  if (face && !models.face) throw new RangeError('options.face is true but no face mesh runner was given (models.face).');
  const range = o.handInputRange ?? HAND_IO.range;
  if (!(range.length === 2 && range[0] < range[1])) throw new RangeError(`options.handInputRange must be [low, high] with low < high; got [${range.join(', ')}].`);
  return {
    minDetectionScore: probability('minDetectionScore', o.minDetectionScore, 0.5),
    minFollowScore: probability('minFollowScore', o.minFollowScore, 0.3),
    minPoseScore: probability('minPoseScore', o.minPoseScore, 0.5),
    minHandScore: probability('minHandScore', o.minHandScore, 0.5),
    minFaceScore: probability('minFaceScore', o.minFaceScore, 0.5),
    nmsIouThreshold: probability('nmsIouThreshold', o.nmsIouThreshold, 0.3),
    smoothing: o.smoothing ?? true,
    smoothingParams: { ...DEFAULT_ONE_EURO, ...o.smoothingParams },
    hands,
    face,
    refineHands: o.refineHands ?? false,
    maskSize,
    landmarkBorder: o.landmarkBorder ?? 'zero',
    handInputRange: range,
  };
}

/** Output `name` of a model, checked to hold at least `length` values. */
function output(outputs: Record<string, Float32Array>, name: string, length: number, model: string): Float32Array {
  const v = outputs[name];
  if (!v) throw new PoseModelError(`The ${model} model returned no "${name}" output. Check that the model file matches public/models/manifest.json (re-run "npm install").`);
  if (v.length < length) throw new PoseModelError(`The ${model} model's "${name}" output holds ${v.length} values; expected ${length}.`);
  return v;
}

/**
 * Whether a pose's head faces the camera enough for the face mesh: the nose nearer the camera than
 * the midpoint of the ears (BlazePose's z, smaller is nearer). On the test clips the mesh found the
 * face (flag > 0.5) on every frame past this line but a few near profile, and its flag on the back
 * of a head, read anyway, wandered between 0 and 0.3: there it says nothing, so it is not run.
 */
export function headFacesCamera(keypoints: Float32Array, stride = BLAZEPOSE_STRIDE): boolean {
  const z = (i: number) => keypoints[i * stride + 2]!;
  return (z(BP.left_ear) + z(BP.right_ear)) / 2 - z(BP.nose) > 0;
}

/** A tracked face ROI is kept while its centre stays within this share of the pose's face ROI side from it. */
const FACE_ROI_DRIFT = 0.5;

/** Sides of the squares searched around a clicked point, in the frame's short side. */
const FOLLOW_ZOOMS = [0.75, 0.5];

/** A pose ROI turned more than this from upright (radians) is also tried the other way up. */
const UPSIDE_DOWN = (3 * Math.PI) / 4;
/** How much higher the upside-down reading's pose flag must be to be kept over the upright one. */
const UPRIGHT_PREFERENCE = 0.01;

/** Landmark model result for one ROI, already in source pixels. */
interface LandmarkResult {
  roi: Roi;
  flag: number;
  /** 39 x (x, y, z, visibility), source pixels. */
  points: Float32Array;
  /** 39 x (x, y, z) metres, frame axes; null when the runner did not return it. */
  world: Float32Array | null;
  /** 256² person probability in ROI space, or null. */
  mask: Float32Array | null;
}

/**
 * How far `point` lies from a detected person's body, in units of their hip-to-alignment-point
 * distance r: the distance to their body axis, which runs from the feet (hip − r, straight down
 * the body) to the top of the head (hip + r). A point on the torso or legs scores ≲ 0.2.
 */
export function bodyDistance(det: Detection, point: Point): number {
  const hip = det.keypoints[0]!;
  const top = det.keypoints[1]!;
  const r = Math.hypot(top.x - hip.x, top.y - hip.y);
  const feet = { x: 2 * hip.x - top.x, y: 2 * hip.y - top.y };
  return segmentDistance(point, feet, top) / Math.max(r, 1e-6);
}

/** `bodyDistance` up to which a point counts as on the person (about the half-width of the body). */
export const ON_BODY = 0.35;

/**
 * Which detection to take. With a point: of the people whose body it lies on (`detectionReach` ≤
 * 1, in their torso length), the one it is nearest to; null when it lies on nobody. With a last
 * position: the one whose hip centre is nearest. Otherwise the most prominent: body ROI area ×
 * score (the detector's own box frames the face, so the body ROI stands for the person's box).
 */
export function chooseDetection(detections: readonly Detection[], target: { point?: Point | null; near?: Point | null } = {}): Detection | null {
  if (detections.length === 0) return null;
  const by = (cost: (d: Detection) => number) => detections.reduce((best, d) => (cost(d) < cost(best) ? d : best), detections[0]!);
  const { point, near } = target;
  if (point) {
    const best = by((d) => detectionReach(d, point));
    return detectionReach(best, point) <= 1 ? best : null;
  }
  if (near) return by((d) => Math.hypot(d.keypoints[0]!.x - near.x, d.keypoints[0]!.y - near.y));
  return by((d) => -(poseRoiFromDetection(d).size ** 2) * d.score);
}

export class PoseTracker {
  readonly options: Readonly<ResolvedOptions>;
  private readonly models: PoseTrackerModels;
  /** ROI for the next frame, from the last landmarks. */
  private roi: Roi | null = null;
  /** Point given to `follow`, waiting for a frame with a person there. */
  private pendingPoint: Point | null = null;
  /** True once a followed person was picked: re-detections then prefer the last position. */
  private following = false;
  /** The ROI of the last frame the person was found in; kept while lost. */
  private lastRoi: Roi | null = null;
  private frameSize = '';
  private readonly bodySmoother: KeypointSmoother;
  private readonly handSmoothers: Record<HandSide, KeypointSmoother>;
  private readonly handSeen: Record<HandSide, boolean> = { left: false, right: false };
  private readonly faceSmoother: KeypointSmoother;
  /** The face ROI for the next frame, from this frame's mesh; null when the face was not found. */
  private faceRoi: Roi | null = null;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(models: PoseTrackerModels, options: PoseTrackerOptions = {}) {
    if (typeof models?.detector !== 'function' || typeof models.landmarks !== 'function') {
      throw new TypeError('PoseTracker needs models.detector and models.landmarks runners.');
    }
    this.models = models;
    this.options = resolveOptions(models, options);
    const params = this.options.smoothingParams;
    this.bodySmoother = new KeypointSmoother({ count: BLAZEPOSE_KEYPOINTS, stride: 4, components: 3, params });
    const hand = () => new KeypointSmoother({ count: HAND_KEYPOINTS, stride: 3, components: 2, params });
    this.handSmoothers = { left: hand(), right: hand() };
    this.faceSmoother = new KeypointSmoother({ count: FACE68_POINTS, stride: 2, components: 2, params });
  }

  /**
   * Pose of the tracked person in `frame` at `timestampS` (seconds, increasing; a jump back
   * restarts smoothing). Calls run one after another even if not awaited.
   */
  process(frame: RgbaImage, timestampS: number): Promise<PoseFrame> {
    checkImage(frame);
    if (!Number.isFinite(timestampS)) throw new RangeError(`timestampS must be a finite number of seconds; got ${timestampS}.`);
    const run = this.queue.then(() => this.step(frame, timestampS));
    this.queue = run.catch(() => undefined);
    return run;
  }

  /**
   * Follow the person at `point` (source pixels of the next frames). The next frame looks for the
   * person the point lies on:
   * 1. the whole-frame detections whose body holds the point (`detectionCovers`: margins in each
   *    one's torso length, not its region's size) get the landmark model;
   * 2. the detector also searches squares of 0.75 and 0.5 × the frame's short side centred on the
   *    point, accepting scores down to `minFollowScore` (small people, people behind others, faces
   *    the detector finds hard, e.g. masked), and the landmark model runs on what holds the point;
   * 3. of all those poses, the ones with a pose flag ≥ `minPoseScore` whose keypoints the point
   *    lies on (`ON_POSE` torso lengths from the torso, head or limbs) are the candidates; the one
   *    it is most central to wins (`followCost`);
   * 4. the reads of that person (the other crops' poses within `SAME_READ` torso lengths of it,
   *    and one more read on the ROI from its own landmarks) are averaged into the frame's pose.
   * With no candidate the frame reports no person (never someone elsewhere) and the next frame
   * tries again. After that the tracker keeps to them; when it loses them it searches around their
   * last ROI first, then takes the whole-frame detection nearest their last position.
   */
  follow(point: Point): void {
    if (!(Number.isFinite(point?.x) && Number.isFinite(point?.y))) throw new RangeError('follow(point) needs finite point.x and point.y in source pixels.');
    this.pendingPoint = { x: point.x, y: point.y };
    this.following = true;
  }

  /** Stop preferring a followed person: re-detections take the most prominent one again. */
  unfollow(): void {
    this.pendingPoint = null;
    this.following = false;
  }

  /** Forget the tracked person, the followed point and the smoothing history. */
  reset(): void {
    this.roi = null;
    this.pendingPoint = null;
    this.following = false;
    this.lastRoi = null;
    this.frameSize = '';
    this.resetSmoothing();
  }

  /**
   * All people the detector finds in `frame` (after non-maximum suppression), best score first.
   * `region`: search only this square (source pixels; default the whole frame, letterboxed), which
   * zooms in on small people. Their keypoints: 0 hip centre, 1 full-body alignment point, 2 shoulder
   * centre, 3 upper-body alignment point; boxes frame the face. Source pixels.
   */
  async detect(frame: RgbaImage, region?: Roi, minScore = this.options.minDetectionScore): Promise<Detection[]> {
    const n = DETECTOR_IO.size;
    const { tensor: data, toSource } = region
      ? { tensor: warpToTensor(frame, region, n, { range: DETECTOR_IO.range, border: 'zero' }), toSource: cropToSource(region, n) }
      : letterboxToTensor(frame, n, DETECTOR_IO.range);
    const out = await this.models.detector({ [DETECTOR_IO.input]: { data, dims: [1, 3, n, n] } });
    const values = 5 + 2 * DETECTOR_IO.numKeypoints;
    const raw = output(out, DETECTOR_IO.output, (ANCHORS.length / 4) * values, 'pose detector');
    const dets = decodeDetections(raw.subarray(0, (ANCHORS.length / 4) * values), ANCHORS, toSource, {
      inputSize: n,
      numKeypoints: DETECTOR_IO.numKeypoints,
      minScore,
    });
    return weightedNms(dets, this.options.nmsIouThreshold);
  }

  /**
   * The detection to start landmarks from when no point is pending: the most prominent person; or,
   * following, the one nearest the last position.
   */
  private async pick(frame: RgbaImage): Promise<Detection | null> {
    const last = this.following ? this.lastRoi : null;
    if (last) {
      // Zoom on where the person was: small people are found more reliably there.
      const side = Math.min(Math.max(last.size, 0.5 * Math.min(frame.width, frame.height)), Math.max(frame.width, frame.height));
      const near = { x: last.cx, y: last.cy };
      const around = await this.detect(frame, { cx: last.cx, cy: last.cy, size: side, rotation: 0 }, this.options.minFollowScore);
      const hit = around.filter((d) => bodyDistance(d, near) <= ON_BODY);
      if (hit.length) return chooseDetection(hit, { near });
      return chooseDetection(await this.detect(frame), { near });
    }
    return chooseDetection(await this.detect(frame));
  }

  /**
   * The pose of the person at `point` (see `follow`), or null when the point lies on nobody found;
   * `flag`: the best pose flag among the poses the point lies on (0 if none).
   */
  private async findAt(frame: RgbaImage, point: Point): Promise<{ result: LandmarkResult | null; flag: number }> {
    const min = this.options.minPoseScore;
    const tried: Array<{ result: LandmarkResult; click: PoseClick }> = [];
    const read = async (detections: Detection[]) => {
      for (const d of detections) {
        if (detectionReach(d, point) > 1) continue;
        const result = await this.uprightLandmarks(frame, poseRoiFromDetection(d));
        tried.push({ result, click: poseClick(result.points, point) });
      }
    };
    const onPerson = (c: (typeof tried)[number]) => c.result.flag >= min && c.click.body <= ON_POSE;
    // The whole frame, then both zoomed squares, always: a person in front may cover the click
    // while the one clicked is only found zoomed in, and every read of the clicked person counts
    // in the fused pose below.
    await read(await this.detect(frame));
    const short = Math.min(frame.width, frame.height);
    for (const k of FOLLOW_ZOOMS) {
      await read(await this.detect(frame, { cx: point.x, cy: point.y, size: k * short, rotation: 0 }, this.options.minFollowScore));
    }
    let best: (typeof tried)[number] | null = null;
    for (const c of tried) {
      if (!onPerson(c)) continue;
      const cost = followCost(c.click);
      if (!best || cost < followCost(best.click) || (cost === followCost(best.click) && c.result.flag > best.result.flag)) best = c;
    }
    const flag = tried.filter((c) => c.click.body <= ON_POSE).reduce((m, c) => Math.max(m, c.result.flag), 0);
    if (!best) return { result: null, flag };
    // Fuse the reads of that person: the other crops that found them, and one more read on the ROI
    // from the chosen pose's own landmarks (the crop the next frame would use). Averaging reads
    // from differently placed crops steadies the keypoints of the frame the user clicked.
    const chosen = best.result;
    const same = (r: LandmarkResult) => r.flag >= min && torsoGap(r.points, chosen.points) <= SAME_READ * best.click.torso;
    const reads = tried.filter((c) => onPerson(c) && same(c.result)).map((c) => c.result.points);
    const again = await this.uprightLandmarks(frame, poseRoiFromLandmarks(chosen.points, 4));
    if (same(again)) reads.push(again.points);
    return { result: reads.length > 1 ? { ...chosen, points: meanReads(reads) } : chosen, flag };
  }

  private resetSmoothing(): void {
    this.bodySmoother.reset();
    this.handSmoothers.left.reset();
    this.handSmoothers.right.reset();
    this.handSeen.left = this.handSeen.right = false;
    this.faceSmoother.reset();
    this.faceRoi = null;
  }

  private async step(frame: RgbaImage, t: number): Promise<PoseFrame> {
    const size = `${frame.width}x${frame.height}`;
    if (size !== this.frameSize) {
      // The first frame or a different video: only a pending follow point carries over.
      this.roi = null;
      this.lastRoi = null;
      this.frameSize = size;
      this.resetSmoothing();
    }
    const min = this.options.minPoseScore;
    let result: LandmarkResult | null = null;
    let lastFlag = 0;
    if (this.roi && !this.pendingPoint) {
      result = await this.uprightLandmarks(frame, this.roi);
      lastFlag = result.flag;
      if (result.flag < min) result = null;
    }
    if (!result) {
      // (Re-)detection: on a lost track, a follow request, or the first frame.
      this.resetSmoothing();
      if (this.pendingPoint) {
        const at = await this.findAt(frame, this.pendingPoint);
        result = at.result;
        lastFlag = at.flag;
      } else {
        const picked = await this.pick(frame);
        if (picked) {
          result = await this.uprightLandmarks(frame, poseRoiFromDetection(picked));
          lastFlag = result.flag;
          if (result.flag < min) result = null;
        }
      }
    }
    if (!result) {
      this.roi = null;
      return this.emptyFrame(lastFlag);
    }
    // A followed point is settled once landmarks confirm a person there.
    this.pendingPoint = null;
    this.roi = poseRoiFromLandmarks(result.points, 4);
    this.lastRoi = this.roi;

    const raw = result.points.slice(0, BLAZEPOSE_KEYPOINTS * 4);
    const hands = this.options.hands ? await this.hands(frame, raw, t) : { left: null, right: null };
    const face = this.options.face ? await this.face(frame, raw, t) : null;
    const keypoints = this.options.smoothing ? this.bodySmoother.smooth(raw, t, 1 / bodySize(raw)) : raw;
    return {
      found: true,
      score: result.flag,
      keypoints,
      world: result.world ? result.world.slice(0, BLAZEPOSE_KEYPOINTS * 3) : new Float32Array(BLAZEPOSE_KEYPOINTS * 3),
      hands,
      face,
      roi: result.roi,
      mask: result.mask && this.options.maskSize > 0 ? resampleProbability(result.mask, LANDMARK_IO.size, this.options.maskSize) : null,
      maskSize: this.options.maskSize,
    };
  }

  private emptyFrame(score: number): PoseFrame {
    return {
      found: false,
      score,
      keypoints: new Float32Array(BLAZEPOSE_KEYPOINTS * 4),
      world: new Float32Array(BLAZEPOSE_KEYPOINTS * 3),
      hands: { left: null, right: null },
      face: null,
      roi: null,
      mask: null,
      maskSize: this.options.maskSize,
    };
  }

  /** `landmarks`, with an upside-down ROI also read the other way up (see step 1). */
  private async uprightLandmarks(frame: RgbaImage, roi: Roi): Promise<LandmarkResult> {
    const result = await this.landmarks(frame, roi);
    if (Math.abs(normalizeRadians(roi.rotation)) <= UPSIDE_DOWN) return result;
    const upright = await this.landmarks(frame, { ...roi, rotation: normalizeRadians(roi.rotation + Math.PI) });
    return upright.flag + UPRIGHT_PREFERENCE >= result.flag ? upright : result;
  }

  /** Runs the landmark model on `roi` and maps its outputs to the source frame. */
  private async landmarks(frame: RgbaImage, roi: Roi): Promise<LandmarkResult> {
    const n = LANDMARK_IO.size;
    const data = warpToTensor(frame, roi, n, { range: LANDMARK_IO.range, border: this.options.landmarkBorder });
    const out = await this.models.landmarks({ [LANDMARK_IO.input]: { data, dims: [1, 3, n, n] } });
    const count = LANDMARK_IO.numPoints;
    const stride = LANDMARK_IO.valuesPerPoint;
    const raw = output(out, LANDMARK_IO.landmarks, count * stride, 'pose landmark');
    const flag = output(out, LANDMARK_IO.flag, 1, 'pose landmark')[0]!;
    const points = new Float32Array(count * 4);
    projectCropPoints(raw, stride, count, roi, n, points, 4);
    for (let i = 0; i < count; i++) points[i * 4 + 3] = sigmoid(raw[i * stride + 3]!);
    const w = out[LANDMARK_IO.world];
    const mask = out[LANDMARK_IO.mask];
    return {
      roi,
      flag,
      points,
      world: w && w.length >= count * 3 ? rotateWorld(w, count, roi.rotation) : null,
      mask: mask && mask.length >= n * n ? mask : null,
    };
  }

  /** Both hands, from crops around the pose's wrists (raw, unsmoothed keypoints). */
  private async hands(frame: RgbaImage, keypoints: Float32Array, t: number): Promise<PoseFrame['hands']> {
    const result: PoseFrame['hands'] = { left: null, right: null };
    for (const side of ['left', 'right'] as const) {
      const roi = handRoiFromPose(keypoints, side);
      let hand = roi ? await this.hand(frame, roi) : null;
      if (hand && this.options.refineHands) {
        const refined = await this.hand(frame, handRoiFromLandmarks(hand.keypoints, 3));
        if (refined) hand = refined;
      }
      if (hand && this.options.smoothing) {
        const smoother = this.handSmoothers[side];
        if (!this.handSeen[side]) smoother.reset();
        hand.keypoints = smoother.smooth(hand.keypoints, t, 1 / Math.max(1, handSize(hand.keypoints)));
      }
      this.handSeen[side] = hand !== null;
      result[side] = hand;
    }
    return result;
  }

  /**
   * The face of the pose (raw, unsmoothed keypoints), or null when the head does not face the
   * camera or the mesh's flag is below `minFaceScore`. Tries the ROI tracked from the last mesh
   * first when there is one near the pose's face, then the pose's own face ROI.
   */
  private async face(frame: RgbaImage, keypoints: Float32Array, t: number): Promise<FacePose | null> {
    const runner = this.models.face;
    const tracked = this.faceRoi;
    this.faceRoi = null;
    const fromPose = runner && headFacesCamera(keypoints) ? faceRoiFromPose(keypoints) : null;
    if (!runner || !fromPose) {
      this.faceSmoother.reset();
      return null;
    }
    const near = tracked && Math.hypot(tracked.cx - fromPose.cx, tracked.cy - fromPose.cy) <= FACE_ROI_DRIFT * fromPose.size;
    const min = this.options.minFaceScore;
    let mesh = await runFaceMesh(runner, frame, near ? tracked : fromPose);
    if (near && !(mesh.score >= min)) mesh = await runFaceMesh(runner, frame, fromPose);
    if (!(mesh.score >= min)) {
      this.faceSmoother.reset();
      return null;
    }
    this.faceRoi = faceRoiFromMesh(mesh.points);
    const points = faceMeshTo68(mesh.points);
    if (!this.options.smoothing) return { points, score: mesh.score };
    return { points: this.faceSmoother.smooth(points, t, 1 / Math.max(1, boxSide(points, 2, FACE68_POINTS))), score: mesh.score };
  }

  /** Hand landmarks in `roi`: 21 x (x, y, score = hand flag), or null below `minHandScore`. */
  private async hand(frame: RgbaImage, roi: Roi): Promise<HandPose | null> {
    const runner = this.models.hand;
    if (!runner) return null;
    const n = HAND_IO.size;
    const data = warpToTensor(frame, roi, n, { range: this.options.handInputRange, border: 'zero' });
    const out = await runner({ [HAND_IO.input]: { data, dims: [1, 3, n, n] } });
    const flag = output(out, HAND_IO.flag, 1, 'hand landmark')[0]!;
    if (!(flag >= this.options.minHandScore)) return null;
    const raw = output(out, HAND_IO.landmarks, HAND_KEYPOINTS * 3, 'hand landmark');
    const keypoints = new Float32Array(HAND_KEYPOINTS * 3);
    projectCropPoints(raw, 3, HAND_KEYPOINTS, roi, n, keypoints, 3);
    for (let i = 0; i < HAND_KEYPOINTS; i++) keypoints[i * 3 + 2] = flag;
    return { keypoints, score: flag };
  }
}

/** World landmarks (count x 3, crop axes) rotated into the frame's axes by the ROI rotation. */
function rotateWorld(w: Float32Array, count: number, rotation: number): Float32Array {
  const cos = Math.cos(rotation);
  const sin = Math.sin(rotation);
  const out = new Float32Array(count * 3);
  for (let i = 0; i < count; i++) {
    const x = w[i * 3]!;
    const y = w[i * 3 + 1]!;
    out[i * 3] = cos * x - sin * y;
    out[i * 3 + 1] = sin * x + cos * y;
    out[i * 3 + 2] = w[i * 3 + 2]!;
  }
  return out;
}

/** Mean of the width and height of the keypoints' box (33 x 4), in pixels; at least 1. */
function bodySize(kp: Float32Array): number {
  return Math.max(1, boxSide(kp, 4, BLAZEPOSE_KEYPOINTS));
}

function handSize(kp: Float32Array): number {
  return boxSide(kp, 3, HAND_KEYPOINTS);
}

function boxSide(kp: Float32Array, stride: number, count: number): number {
  let x0 = Infinity;
  let y0 = Infinity;
  let x1 = -Infinity;
  let y1 = -Infinity;
  for (let i = 0; i < count; i++) {
    x0 = Math.min(x0, kp[i * stride]!);
    x1 = Math.max(x1, kp[i * stride]!);
    y0 = Math.min(y0, kp[i * stride + 1]!);
    y1 = Math.max(y1, kp[i * stride + 1]!);
  }
  return (x1 - x0 + (y1 - y0)) / 2;
}
