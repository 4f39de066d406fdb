import { EncodedAudioPacketSource, EncodedPacketSink, type InputAudioTrack } from 'mediabunny';

/** Audio codecs an MP4 can carry as they are, without re-encoding. */
const MP4_AUDIO_PASSTHROUGH = new Set(['aac', 'opus', 'mp3', 'flac', 'ac3', 'eac3']);

/**
 * Copies the audio packets of [startS, endS) into the output unchanged (no re-encode), shifted so
 * the range starts at 0. Returns null when the codec cannot go into an MP4 as it is.
 */
export async function prepareAudioPassthrough(track: InputAudioTrack) {
  const codec = await track.getCodec();
  if (!codec || !MP4_AUDIO_PASSTHROUGH.has(codec)) return null;
  const decoderConfig = await track.getDecoderConfig();
  if (!decoderConfig) return null;
  const source = new EncodedAudioPacketSource(codec);
  const sink = new EncodedPacketSink(track);
  return {
    codec,
    source,
    async copy(startS: number, endS: number, isCanceled: () => boolean) {
      let first = true;
      const startPacket = (await sink.getPacket(startS)) ?? (await sink.getFirstPacket());
      if (!startPacket) return;
      for await (const packet of sink.packets(startPacket)) {
        if (isCanceled()) return;
        if (packet.timestamp >= endS) break;
        const timestamp = packet.timestamp - startS;
        if (timestamp < 0) continue;
        await source.add(packet.clone({ timestamp }), first ? { decoderConfig } : undefined);
        first = false;
      }
    },
  };
}
