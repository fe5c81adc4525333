// Carrying a source's sound over to a video made from it (reframe, modify): the engine encodes
// pictures only, so the first audio track of the source is muxed in afterwards. Video is copied
// untouched; audio becomes AAC (MP4's common codec, whatever the source held), padded with
// silence or cut so the output lasts exactly as long as its video.
import { rename, rm } from 'node:fs/promises';
import { abortReason, exitOf, terminate } from './encoder.ts';
import { captureTail, DEFAULT_FFMPEG, FfmpegError, spawnError, spawnTool } from './ffmpeg.ts';

export interface AudioTrackOptions {
  ffmpegPath?: string | undefined;
  signal?: AbortSignal | undefined;
}

/** AAC at this rate: transparent for stereo speech and music, small beside the video. */
const AUDIO_BITRATE = '160k';

/**
 * Replaces `video` (an MP4 without sound) with the same MP4 plus the first audio track of
 * `source`. On failure or abort ffmpeg has exited, `video` is as it was and no other file remains.
 *
 * @example
 * if (info.hasAudio) await addSourceAudio('out.mp4', 'source.mov');
 */
export async function addSourceAudio(video: string, source: string, opts: AudioTrackOptions = {}): Promise<void> {
  const { signal } = opts;
  signal?.throwIfAborted();
  const binary = opts.ffmpegPath ?? DEFAULT_FFMPEG;
  const tmp = `${video}.audio.mp4`;
  const child = spawnTool(binary, [
    '-hide_banner', '-loglevel', 'error', '-nostdin', '-y',
    '-i', video, '-i', source,
    '-map', '0:v:0', '-map', '1:a:0', '-c:v', 'copy',
    // apad + shortest: a short track is padded, a long one cut, at the video's end.
    '-af', 'apad', '-shortest', '-c:a', 'aac', '-b:a', AUDIO_BITRATE,
    '-movflags', '+faststart', '-f', 'mp4', tmp,
  ], { stdio: ['ignore', 'ignore', 'pipe'] });
  const stderrTail = captureTail(child.stderr);
  const exited = exitOf(child);
  const failure: { error?: Error } = {};
  child.once('error', (err) => {
    failure.error = spawnError(binary, err);
  });
  const onAbort = (): void => void terminate(child, exited);
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    await exited;
    if (failure.error) throw failure.error;
    if (signal?.aborted) throw abortReason(signal);
    if (child.exitCode !== 0) throw new FfmpegError('ffmpeg (audio)', child.exitCode, stderrTail());
    await rename(tmp, video);
  } finally {
    signal?.removeEventListener('abort', onAbort);
    await rm(tmp, { force: true });
  }
}
