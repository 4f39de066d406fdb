/**
 * H.264 level selection (ITU-T H.264 Table A-1): the lowest level whose frame size and
 * macroblock rate limits hold the output. Frame size in macroblocks (16x16), rate in MB/s.
 */
const AVC_LEVELS: ReadonlyArray<{ level: number; maxFrameMbs: number; maxMbPerSec: number }> = [
  { level: 30, maxFrameMbs: 1620, maxMbPerSec: 40500 },
  { level: 31, maxFrameMbs: 3600, maxMbPerSec: 108000 },
  { level: 32, maxFrameMbs: 5120, maxMbPerSec: 216000 },
  { level: 40, maxFrameMbs: 8192, maxMbPerSec: 245760 },
  { level: 42, maxFrameMbs: 8704, maxMbPerSec: 522240 },
  { level: 50, maxFrameMbs: 22080, maxMbPerSec: 589824 },
  { level: 51, maxFrameMbs: 36864, maxMbPerSec: 983040 },
  { level: 52, maxFrameMbs: 36864, maxMbPerSec: 2073600 },
  { level: 60, maxFrameMbs: 139264, maxMbPerSec: 4177920 },
  { level: 62, maxFrameMbs: 139264, maxMbPerSec: 16711680 },
];

/** The H.264 level (as 10 x level, e.g. 31 for 3.1) for a frame size in pixels and a rate in frames per second. */
export function avcLevel(width: number, height: number, fps: number): number {
  const frameMbs = Math.ceil(width / 16) * Math.ceil(height / 16);
  const mbPerSec = frameMbs * fps;
  // Level limits also bound each side: sqrt(8 * MaxFS) macroblocks.
  const side = Math.max(Math.ceil(width / 16), Math.ceil(height / 16));
  const found = AVC_LEVELS.find(
    (l) => frameMbs <= l.maxFrameMbs && mbPerSec <= l.maxMbPerSec && side * side <= 8 * l.maxFrameMbs,
  );
  return (found ?? AVC_LEVELS[AVC_LEVELS.length - 1]!).level;
}

/** WebCodecs codec string for H.264 High profile at the level that fits, e.g. "avc1.64001f". */
export function avcCodecString(width: number, height: number, fps: number): string {
  return `avc1.6400${avcLevel(width, height, fps).toString(16).padStart(2, '0')}`;
}
