using JukeboxBridge.Audio.Analysis;
using JukeboxBridge.Plots;

namespace JukeboxBridge.Audio.Tests;

public class SpectrumTests
{
    [Theory]
    [InlineData(8)]
    [InlineData(64)]
    [InlineData(1024)]
    public void Fft_matches_a_direct_dft(int n)
    {
        var rng = new Random(n);
        var re = Enumerable.Range(0, n).Select(_ => rng.NextDouble() - 0.5).ToArray();
        var im = Enumerable.Range(0, n).Select(_ => rng.NextDouble() - 0.5).ToArray();
        var (r0, i0) = (re.ToArray(), im.ToArray());
        Fft.Forward(re, im);
        for (int k = 0; k < n; k++)
        {
            double wr = 0, wi = 0;
            for (int t = 0; t < n; t++)
            {
                double a = -2 * Math.PI * k * t / n;
                wr += r0[t] * Math.Cos(a) - i0[t] * Math.Sin(a);
                wi += r0[t] * Math.Sin(a) + i0[t] * Math.Cos(a);
            }
            Assert.True(Math.Abs(wr - re[k]) < 1e-9 * n && Math.Abs(wi - im[k]) < 1e-9 * n, $"bin {k}: {re[k]},{im[k]} vs {wr},{wi}");
        }
        Assert.Throws<ArgumentException>(() => Fft.Forward(new double[6], new double[6]));
    }

    [Fact]
    public void Spectrogram_peaks_at_the_tone_and_follows_a_change_of_pitch()
    {
        int rate = 44100;
        var x = ToneAnalysis.Sine(rate, 440, 0.5, rate).Concat(ToneAnalysis.Sine(rate, 3000, 0.5, rate)).ToArray();
        var s = Spectrogram.Compute(x, rate, 2048, 512);
        int Peak(double[] row) => Array.IndexOf(row, row.Max());
        Assert.Equal(440, Peak(s.Magnitudes[20]) * s.BinHz, 1.0 * s.BinHz);
        Assert.Equal(3000, Peak(s.Magnitudes[^5]) * s.BinHz, 1.0 * s.BinHz);
        Assert.Equal(1 + (x.Length - 2048 + 511) / 512, s.Magnitudes.Length);
    }

    [Fact]
    public void Take_plot_marks_the_prompt_boundary_and_draws_both_panels()
    {
        int rate = 22050;
        var x = ToneAnalysis.Sine(rate, 220, 0.8, rate * 2).Concat(new float[rate]).ToArray();   // 2 s tone, 1 s silence
        var plot = new TakePlot { Title = "TEST" };
        var c = plot.Render(AudioClip.Mono(rate, x), promptSeconds: 1.0);
        var (wTop, wBot, sTop, sBot) = plot.Panels;
        int boundary = plot.ColumnOf(1.0, 3.0);
        Assert.Equal(TakePlot.BoundaryColor, c.Get(boundary, (sTop + sBot) / 2));
        Assert.Equal(TakePlot.BoundaryColor, c.Get(boundary, (wTop + wBot) / 2 + 5));
        // The tone's spectrogram row is bright while it plays and dark in the silence after it.
        double lf0 = Math.Log(plot.MinHz), lf1 = Math.Log(rate / 2.0);
        int row = sTop + (int)((lf1 - Math.Log(220)) / (lf1 - lf0) * (sBot - sTop + 1));
        int Brightness(int col) { var p = c.Get(col, row); return p.R + p.G + p.B; }
        Assert.True(Brightness(plot.ColumnOf(1.5, 3.0)) > 500, "tone should be bright");
        Assert.True(Brightness(plot.ColumnOf(2.8, 3.0)) < 100, "silence should be dark");
        // Waveform reaches ±0.8 of the panel during the tone, stays on the midline in the silence.
        int mid = (wTop + wBot) / 2, col = plot.ColumnOf(0.5, 3.0);
        Assert.NotEqual((255, 255, 255), ((int)c.Get(col, mid - (int)(0.75 * (wBot - wTop) / 2)).R, 255, 255));
        var png = plot.RenderPng(AudioClip.Mono(rate, x), 1.0);
        Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, png[..4]);
    }
}

public class SpectralDistanceTests
{
    [Fact]
    public void Spectral_convergence_is_zero_for_the_same_signal_and_grows_with_the_error()
    {
        var x = ToneAnalysis.Sine(44100, 440, 0.5, 22050);
        var noise = new Random(1);
        var slightly = x.Select(v => v + (float)(noise.NextDouble() - 0.5) * 0.01f).ToArray();
        var badly = x.Select(v => v + (float)(noise.NextDouble() - 0.5) * 0.5f).ToArray();
        Assert.Equal(0, SpectralDistance.Convergence(x, x, 44100), 9);
        double small = SpectralDistance.Convergence(x, slightly, 44100), big = SpectralDistance.Convergence(x, badly, 44100);
        Assert.InRange(small, 1e-4, 0.1);
        Assert.True(big > 5 * small);
        Assert.Equal(1, SpectralDistance.Convergence(x, new float[x.Length], 44100), 6);   // silence: as far as it gets
        Assert.True(SpectralDistance.MultiResolution(x, badly, 44100) > SpectralDistance.MultiResolution(x, slightly, 44100));
    }
}
