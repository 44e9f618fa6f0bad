using System.Diagnostics;
using JukeboxBridge.Audio.Analysis;
using JukeboxBridge.Audio.Wav;
using JukeboxBridge.TestSupport;

namespace JukeboxBridge.Audio.Tests;

/// <summary>Compressed formats go through ffmpeg (installed by .ci/run; `apt-get install ffmpeg` on a dev machine).</summary>
public class FfmpegDecoderTests
{
    private static string RequireFfmpeg() =>
        new FfmpegDecoder().Locate() ?? throw new Xunit.Sdk.XunitException("ffmpeg is not on PATH: apt-get install ffmpeg (.ci/run does)");

    private static void RunFfmpeg(params string[] args)
    {
        var psi = new ProcessStartInfo(RequireFfmpeg()) { RedirectStandardError = true };
        foreach (var a in new[] { "-v", "error", "-y" }.Concat(args)) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        p.StandardError.ReadToEnd();
        p.WaitForExit();
        Assert.Equal(0, p.ExitCode);
    }

    [Fact]
    public void Flac_decodes_to_the_same_samples()
    {
        using var dir = new TempDir();
        var clip = new AudioClip(48000, new[] { ToneAnalysis.Sine(48000, 440, 0.5, 24000), ToneAnalysis.Sine(48000, 660, 0.25, 24000) });
        WavWriter.Write(dir.File("a.wav"), clip, WavSampleFormat.Pcm16);
        RunFfmpeg("-i", dir.File("a.wav"), dir.File("a.flac"));
        var back = AudioFile.Read(dir.File("a.flac"));
        var want = WavReader.Read(dir.File("a.wav"));
        Assert.Equal(48000, back.SampleRate);
        Assert.Equal(2, back.ChannelCount);
        Assert.Equal(want.Channels[0], back.Channels[0]);
        Assert.Equal(want.Channels[1], back.Channels[1]);
    }

    [Fact]
    public void Mp3_decodes_and_converts_to_model_input()
    {
        using var dir = new TempDir();
        WavWriter.Write(dir.File("a.wav"), AudioClip.Mono(48000, ToneAnalysis.Sine(48000, 1000, 0.5, 48000)), WavSampleFormat.Pcm16);
        RunFfmpeg("-i", dir.File("a.wav"), "-b:a", "192k", dir.File("a.mp3"));
        var clip = AudioFile.ReadAs(dir.File("a.mp3"), 44100, mono: true);
        Assert.Equal(44100, clip.SampleRate);
        Assert.Equal(1, clip.ChannelCount);
        var (amp, _) = ToneAnalysis.FitSine(clip.Channels[0], 44100, 1000, 4410, 30000);
        Assert.InRange(amp, 0.45, 0.55);
    }

    [Fact]
    public void Without_ffmpeg_the_message_says_so()
    {
        using var dir = new TempDir();
        File.WriteAllBytes(dir.File("song.mp3"), new byte[] { 0xFF, 0xFB, 0x90, 0x00 });
        var e = Assert.Throws<AudioFormatException>(() => AudioFile.Read(dir.File("song.mp3"), new FfmpegDecoder(searchPath: dir.Path)));
        Assert.Contains("needs ffmpeg", e.Message);
        Assert.Contains("song.mp3", e.Message);
    }

    [Fact]
    public void A_corrupt_file_reports_ffmpegs_error()
    {
        RequireFfmpeg();
        using var dir = new TempDir();
        File.WriteAllBytes(dir.File("broken.ogg"), "OggS this is not really ogg"u8.ToArray());
        var e = Assert.Throws<AudioFormatException>(() => AudioFile.Read(dir.File("broken.ogg")));
        Assert.Contains("ffmpeg could not decode", e.Message);
    }
}
