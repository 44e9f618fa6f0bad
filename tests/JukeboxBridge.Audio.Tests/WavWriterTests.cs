using JukeboxBridge.Audio.Analysis;
using JukeboxBridge.Audio.Wav;
using JukeboxBridge.TestSupport;

namespace JukeboxBridge.Audio.Tests;

public class WavWriterTests
{
    private static AudioClip Noise(int channels, int frames, int seed = 1)
    {
        var rng = new Random(seed);
        return new AudioClip(48000, Enumerable.Range(0, channels)
            .Select(_ => Enumerable.Range(0, frames).Select(_ => (float)(rng.NextDouble() * 1.98 - 0.99)).ToArray()).ToArray());
    }

    [Theory]
    [InlineData(WavSampleFormat.Pcm8, 1)]
    [InlineData(WavSampleFormat.Pcm16, 2)]
    [InlineData(WavSampleFormat.Pcm24, 2)]
    [InlineData(WavSampleFormat.Pcm32, 1)]
    [InlineData(WavSampleFormat.Float32, 2)]
    [InlineData(WavSampleFormat.Float64, 1)]
    [InlineData(WavSampleFormat.Pcm24, 6)]
    [InlineData(WavSampleFormat.Float32, 8)]
    [InlineData(WavSampleFormat.Pcm32, 4)]   // extensible 32-bit integer: PCM SubFormat, not float
    [InlineData(WavSampleFormat.Float64, 3)]
    public void Round_trips_within_half_a_quantisation_step(WavSampleFormat format, int channels)
    {
        var clip = Noise(channels, 1001);
        var back = WavReader.Read(WavWriter.ToBytes(clip, format), "rt.wav", out var info);
        Assert.Equal(format, info.Format);
        Assert.Equal(channels > 2, info.Extensible);
        Assert.Equal(clip.SampleRate, back.SampleRate);
        Assert.Equal(channels, back.ChannelCount);
        Assert.Equal(clip.Frames, back.Frames);
        double step = format.IsFloat() ? 0 : Math.Pow(2, -(format.Bits() - 1));
        for (int c = 0; c < channels; c++)
            for (int i = 0; i < clip.Frames; i++)
                Assert.True(Math.Abs(back.Channels[c][i] - clip.Channels[c][i]) <= step / 2 + 1e-7,
                    $"ch {c} frame {i}: {back.Channels[c][i]} vs {clip.Channels[c][i]}");
    }

    [Fact]
    public void Pcm_clips_instead_of_wrapping()
    {
        var clip = AudioClip.Mono(44100, new[] { 1.5f, -1.5f, 1f, float.NaN });
        var back = WavReader.Read(WavWriter.ToBytes(clip, WavSampleFormat.Pcm16), "c.wav", out _).Channels[0];
        Assert.Equal(new[] { 32767f / 32768, -1f, 32767f / 32768, 0f }, back);
    }

    [Fact]
    public void Writes_atomically_to_a_path_and_replaces_an_older_file()
    {
        using var dir = new TempDir();
        var path = dir.File("out/take.wav");
        WavWriter.Write(path, Noise(1, 10), WavSampleFormat.Pcm16);
        var clip = AudioClip.Mono(44100, ToneAnalysis.Sine(44100, 440, 0.5, 4410));
        WavWriter.Write(path, clip, WavSampleFormat.Pcm24);
        var back = WavReader.Read(path, out var info);
        Assert.Equal(WavSampleFormat.Pcm24, info.Format);
        Assert.Equal(4410, back.Frames);
        Assert.Single(Directory.GetFiles(Path.GetDirectoryName(path)!));
    }

    [Fact]
    public void Stereo_downmix_is_the_average()
    {
        var clip = new AudioClip(44100, new[] { new[] { 1f, 0.5f, -1f }, new[] { 0f, 0.5f, 1f } });
        Assert.Equal(new[] { 0.5f, 0.5f, 0f }, clip.ToMono().Channels[0]);
        var mono = clip.ToMono();
        Assert.Same(mono, mono.ToMono());
    }

    [Fact]
    public void Writes_the_standard_layout_other_readers_expect()
    {
        // 3 frames of 8-bit mono: an odd data chunk gets its pad byte; the RIFF size counts it.
        var bytes = WavWriter.ToBytes(new AudioClip(8000, [[0f, 0.5f, -1f]]), WavSampleFormat.Pcm8);
        Assert.Equal("RIFF", System.Text.Encoding.ASCII.GetString(bytes, 0, 4));
        Assert.Equal(bytes.Length - 8, BitConverter.ToInt32(bytes, 4));
        Assert.Equal(0, bytes.Length % 2);
        int data = IndexOf(bytes, "data");
        Assert.Equal(3, BitConverter.ToInt32(bytes, data + 4));
        Assert.Equal(new byte[] { 128, 192, 0 }, bytes[(data + 8)..(data + 11)]);

        // Float: a fact chunk with the frame count; 6 channels: WAVE_FORMAT_EXTENSIBLE with the 5.1 mask.
        var f = WavWriter.ToBytes(Noise(6, 5), WavSampleFormat.Float32);
        int fmt = IndexOf(f, "fmt ");
        Assert.Equal(0xFFFE, BitConverter.ToUInt16(f, fmt + 8));
        Assert.Equal(0x3Fu, BitConverter.ToUInt32(f, fmt + 8 + 20));
        Assert.Equal(3, BitConverter.ToUInt16(f, fmt + 8 + 24));
        int fact = IndexOf(f, "fact");
        Assert.True(fact > 0);
        Assert.Equal(5, BitConverter.ToInt32(f, fact + 8));
    }

    private static int IndexOf(byte[] b, string id)
    {
        var key = System.Text.Encoding.ASCII.GetBytes(id);
        return b.AsSpan().IndexOf(key);
    }
}

public class BextTests
{
    [Fact]
    public void A_take_wav_carries_its_bwf_time_reference_and_description_and_reads_back_unchanged()
    {
        using var dir = new TempDir();
        var clip = AudioClip.Mono(44100, ToneAnalysis.Sine(44100, 440, 0.5, 4410));
        var bext = new BextInfo("JukeboxBridge take 2 of 3, job x", 5_000_000_000, Origination: new DateTimeOffset(2026, 12, 2, 17, 5, 9, TimeSpan.Zero));
        string path = dir.File("take.wav");
        WavWriter.Write(path, clip, WavSampleFormat.Pcm24, bext);
        var back = BextInfo.Find(File.ReadAllBytes(path));
        Assert.Equal(bext, back);                                                   // 64-bit time reference, text, date and time
        var wav = WavReader.Read(path);                                             // the samples are as without the chunk
        Assert.Equal(WavReader.Read(WavWriter.ToBytes(clip, WavSampleFormat.Pcm24), "plain", out _).Channels[0], wav.Channels[0]);
        Assert.Null(BextInfo.Find(WavWriter.ToBytes(clip, WavSampleFormat.Pcm24)));

        // An independent reader (ffmpeg's BWF support) sees the same stamp.
        var psi = new System.Diagnostics.ProcessStartInfo("ffprobe", ["-v", "error", "-show_entries", "format_tags", "-of", "default=nw=1", path])
            { RedirectStandardOutput = true };
        using var p = System.Diagnostics.Process.Start(psi)!;
        string tags = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        Assert.Contains("time_reference=5000000000", tags);
        Assert.Contains("comment=JukeboxBridge take 2 of 3, job x", tags);   // ffmpeg names the description "comment"
    }
}
