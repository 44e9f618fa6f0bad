namespace JukeboxBridge.Audio.Analysis;

/// <summary>
/// Estimates a clip's tempo in BPM: a spectral-flux onset envelope (log magnitudes, rectified increases, 512-sample
/// hop), its autocorrelation, and the lag between 60 and 180 BPM whose multiples (beats, bars) line up best,
/// weighted gently towards 110 BPM. Octave errors are possible, as with any tempo estimator.
/// </summary>
public static class TempoEstimator
{
    public const double MinBpm = 60, MaxBpm = 180;

    public static double Estimate(ReadOnlySpan<float> x, int rate)
    {
        const int fft = 1024, hop = 512;
        var spec = Spectrogram.Compute(x, rate, fft, hop);
        int frames = spec.Magnitudes.Length;
        if (frames < 8) return double.NaN;
        var onset = new double[frames];
        double[]? prev = null;
        for (int f = 0; f < frames; f++)
        {
            var row = spec.Magnitudes[f];
            var log = row.Select(m => Math.Log(1 + 100 * m)).ToArray();
            if (prev is not null)
                for (int k = 1; k < log.Length; k++) onset[f] += Math.Max(0, log[k] - prev[k]);
            prev = log;
        }
        double mean = onset.Average();
        for (int f = 0; f < frames; f++) onset[f] -= mean;
        double frameRate = (double)rate / hop;
        int minLag = (int)Math.Floor(frameRate * 60 / MaxBpm), maxLag = (int)Math.Ceiling(frameRate * 60 / MinBpm);
        var acf = new double[Math.Min(frames, 4 * maxLag + 2)];
        for (int lag = 0; lag < acf.Length; lag++)
        {
            double s = 0;
            for (int f = lag; f < frames; f++) s += onset[f] * onset[f - lag];
            acf[lag] = s / (frames - lag);
        }
        double Acf(double lag)
        {
            int i = (int)Math.Floor(lag);
            if (i + 1 >= acf.Length) return 0;
            double t = lag - i;
            return acf[i] * (1 - t) + acf[i + 1] * t;
        }
        double bestBpm = double.NaN, bestScore = double.NegativeInfinity;
        for (double bpm = MinBpm; bpm <= MaxBpm; bpm += 0.25)
        {
            double lag = frameRate * 60 / bpm;
            double score = Acf(lag) + 0.5 * Acf(2 * lag) + 0.33 * Acf(3 * lag) + 0.25 * Acf(4 * lag);
            score *= Math.Exp(-0.5 * Math.Pow(Math.Log2(bpm / 110) / 1.0, 2));
            if (score > bestScore) { bestScore = score; bestBpm = bpm; }
        }
        return bestBpm;
    }

    /// <summary>Whether two tempi agree within <paramref name="tolerance"/> (relative); octave errors count as misses.</summary>
    public static bool Agree(double a, double b, double tolerance = 0.04) =>
        double.IsFinite(a) && double.IsFinite(b) && Math.Abs(a - b) <= tolerance * b;
}
