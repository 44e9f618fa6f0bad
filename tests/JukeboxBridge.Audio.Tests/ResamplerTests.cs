using JukeboxBridge.Audio.Analysis;
using JukeboxBridge.Audio.Resampling;

namespace JukeboxBridge.Audio.Tests;

/// <summary>The resampler's quality figures (issue targets) and its timing alignment.</summary>
public class ResamplerTests
{
    [Theory]
    [InlineData(48000, 44100)]
    [InlineData(96000, 44100)]
    [InlineData(88200, 44100)]
    [InlineData(22050, 44100)]
    [InlineData(16000, 44100)]
    public void Round_trip_of_a_1kHz_sine_keeps_90_dB_snr(int a, int b) =>
        Assert.True(ResamplerMeasurements.RoundTripSnrDb(b == 44100 ? a : b, 44100 == b ? b : a) >= 90);

    [Theory]
    [InlineData(48000, 44100)]
    [InlineData(96000, 44100)]
    [InlineData(88200, 44100)]
    [InlineData(44100, 48000)]
    public void Passband_is_flat_within_0_1_dB_to_19_kHz(int a, int b) =>
        Assert.True(ResamplerMeasurements.PassbandDeviationDb(a, b, 19000) <= 0.1);

    [Theory]
    [InlineData(48000, 44100)]
    [InlineData(96000, 44100)]
    [InlineData(22050, 44100)]
    [InlineData(16000, 44100)]
    public void Aliases_and_images_are_rejected_by_90_dB(int a, int b) =>
        Assert.True(ResamplerMeasurements.RejectionDb(a, b) >= 90);

    [Theory]
    [InlineData(48000, 44100)]
    [InlineData(44100, 48000)]
    [InlineData(44100, 16000)]
    public void An_impulse_lands_at_the_same_time_and_dc_keeps_its_level(int a, int b)
    {
        var x = new float[a];
        x[a / 2] = 1;
        var y = new Resampler(a, b).Process(x);
        Assert.Equal((int)Math.Ceiling((double)a * b / a), y.Length);
        int peak = Array.IndexOf(y, y.Max());
        Assert.InRange(peak, (int)Math.Floor(a / 2.0 * b / a), (int)Math.Ceiling(a / 2.0 * b / a));

        var dc = new Resampler(a, b).Process(Enumerable.Repeat(0.5f, a).ToArray());
        for (int i = b / 10; i < dc.Length - b / 10; i++) Assert.True(Math.Abs(dc[i] - 0.5f) < 1e-5, $"{i}: {dc[i]}");
    }

    [Fact]
    public void Same_rate_is_a_copy_and_odd_rates_work()
    {
        var x = ToneAnalysis.Sine(44100, 1000, 0.5, 1000);
        Assert.Equal(x, new Resampler(44100, 44100).Process(x));
        // 44100 -> 44099: a ratio with a huge numerator, served by the interpolated table.
        var y = new Resampler(44100, 44099).Process(ToneAnalysis.Sine(44100, 1000, 0.5, 44100));
        var (amp, res) = ToneAnalysis.FitSine(y, 44099, 1000, 4000, y.Length - 8000);
        Assert.InRange(amp, 0.4999, 0.5001);
        Assert.True(ToneAnalysis.Db(0.5 / Math.Sqrt(2) / res) > 90);
    }

    [Fact]
    public void Clip_conversion_resamples_every_channel()
    {
        var clip = new AudioClip(48000, new[] { ToneAnalysis.Sine(48000, 1000, 0.5, 48000), ToneAnalysis.Sine(48000, 2000, 0.25, 48000) });
        var out44 = Resampler.Convert(clip, 44100);
        Assert.Equal(44100, out44.SampleRate);
        Assert.Equal(2, out44.ChannelCount);
        Assert.InRange(ToneAnalysis.FitSine(out44.Channels[1], 44100, 2000, 2000, 40000).Amplitude, 0.2499, 0.2501);
    }
}
