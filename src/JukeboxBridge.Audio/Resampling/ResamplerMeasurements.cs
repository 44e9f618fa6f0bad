using JukeboxBridge.Audio.Analysis;

namespace JukeboxBridge.Audio.Resampling;

/// <summary>The figures the resampler is held to (benchmark `resampler` prints them; tests assert them).</summary>
public sealed record ResamplerFigures(double SnrDb, double PassbandDb, double RejectionDb);

public static class ResamplerMeasurements
{
    /// <summary>1 kHz sine at -6 dBFS through a→b→a; SNR against the original, edges excluded.</summary>
    public static double RoundTripSnrDb(int rateA, int rateB, double seconds = 2)
    {
        int n = (int)(rateA * seconds);
        var x = ToneAnalysis.Sine(rateA, 1000, 0.5, n);
        var y = new Resampler(rateB, rateA).Process(new Resampler(rateA, rateB).Process(x));
        int edge = rateA / 20;
        return ToneAnalysis.SnrDb(x, y, edge, Math.Min(x.Length, y.Length) - 2 * edge);
    }

    /// <summary>Largest |gain| in dB for tones from 20 Hz to <paramref name="upToHz"/>, converting inRate→outRate.</summary>
    public static double PassbandDeviationDb(int inRate, int outRate, double upToHz)
    {
        var r = new Resampler(inRate, outRate);
        double worst = 0;
        var freqs = new List<double> { 20, 50, 100, 440, 1000, 2000, 5000, 8000, 10000, 12000, 14000, 16000, 17000, 18000, 18500 };
        for (double f = 18600; f <= upToHz; f += 100) freqs.Add(f);
        freqs.Add(upToHz);
        freqs.RemoveAll(f => f > upToHz);
        foreach (var f in freqs)
        {
            int n = inRate / 2;
            var y = r.Process(ToneAnalysis.Sine(inRate, f, 0.5, n));
            int edge = outRate / 40;
            var (amp, _) = ToneAnalysis.FitSine(y, outRate, f, edge, y.Length - 2 * edge);
            worst = Math.Max(worst, Math.Abs(ToneAnalysis.Db(amp / 0.5)));
        }
        return worst;
    }

    /// <summary>
    /// Worst-case rejection in dB: for downsampling, tones between the output Nyquist and the input
    /// Nyquist (which would alias) must vanish; for upsampling, everything but the tone itself
    /// (the images) must vanish. Measured over both directions of the pair.
    /// </summary>
    public static double RejectionDb(int rateA, int rateB)
    {
        double worst = double.MaxValue;
        int lo = Math.Min(rateA, rateB), hi = Math.Max(rateA, rateB);
        // Aliasing: hi -> lo, tones above lo/2.
        var down = new Resampler(hi, lo);
        for (double f = lo / 2.0 + 50; f < hi / 2.0; f += (hi / 2.0 - lo / 2.0) / 6)
        {
            var y = down.Process(ToneAnalysis.Sine(hi, f, 0.5, hi / 2));
            int edge = lo / 20;
            double rms = ToneAnalysis.Rms(y, edge, y.Length - 2 * edge);
            worst = Math.Min(worst, ToneAnalysis.Db(0.5 / Math.Sqrt(2) / rms));
        }
        // Imaging: lo -> hi, residual after removing the tone.
        var up = new Resampler(lo, hi);
        foreach (double f in new[] { 0.05 * lo / 2, 0.45 * lo / 2, 0.8 * lo / 2, 0.86 * lo / 2 })
        {
            var y = up.Process(ToneAnalysis.Sine(lo, f, 0.5, lo / 2));
            int edge = hi / 20;
            var (_, res) = ToneAnalysis.FitSine(y, hi, f, edge, y.Length - 2 * edge);
            worst = Math.Min(worst, ToneAnalysis.Db(0.5 / Math.Sqrt(2) / res));
        }
        return worst;
    }
}
