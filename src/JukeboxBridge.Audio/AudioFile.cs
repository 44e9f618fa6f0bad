using JukeboxBridge.Audio.Resampling;
using JukeboxBridge.Audio.Wav;

namespace JukeboxBridge.Audio;

/// <summary>Reading any audio file a producer has: WAV natively, everything else through ffmpeg.</summary>
public static class AudioFile
{
    public static AudioClip Read(string path, FfmpegDecoder? ffmpeg = null) => Read(path, out _, ffmpeg);

    /// <param name="wavFormat">The WAV sample format when the file was a WAV; null when ffmpeg decoded it.</param>
    public static AudioClip Read(string path, out WavSampleFormat? wavFormat, FfmpegDecoder? ffmpeg = null)
    {
        if (!File.Exists(path)) throw new AudioFormatException($"{path}: file not found");
        if (LooksLikeWav(path))
        {
            var clip = WavReader.Read(path, out var info);
            wavFormat = info.Format;
            return clip;
        }
        wavFormat = null;
        return (ffmpeg ?? new FfmpegDecoder()).Decode(path);
    }

    /// <summary>Reads a file and brings it to <paramref name="rate"/> Hz (and mono if asked), e.g. the model's 44.1 kHz mono.</summary>
    public static AudioClip ReadAs(string path, int rate, bool mono, FfmpegDecoder? ffmpeg = null)
    {
        var clip = Read(path, ffmpeg);
        if (mono) clip = clip.ToMono();
        return Resampler.Convert(clip, rate);
    }

    private static bool LooksLikeWav(string path)
    {
        using var fs = File.OpenRead(path);
        Span<byte> head = stackalloc byte[4];
        int n = fs.ReadAtLeast(head, 4, throwOnEndOfStream: false);
        if (n == 4 && (head.SequenceEqual("RIFF"u8) || head.SequenceEqual("RF64"u8) || head.SequenceEqual("RIFX"u8))) return true;
        // A .wav that is not RIFF is corrupt: let the WAV reader say so rather than ffmpeg.
        return Path.GetExtension(path).Equals(".wav", StringComparison.OrdinalIgnoreCase);
    }
}
