namespace JukeboxBridge.Audio.Analysis;

/// <summary>Measurements on test tones: least-squares sine fits, SNR and levels in dB.</summary>
public static class ToneAnalysis
{
    public static float[] Sine(int rate, double freq, double amplitude, int frames, double phase = 0)
    {
        var s = new float[frames];
        for (int i = 0; i < frames; i++) s[i] = (float)(amplitude * Math.Sin(2 * Math.PI * freq * i / rate + phase));
        return s;
    }

    /// <summary>Best fit a*sin + b*cos at <paramref name="freq"/> over [start, start+count): returns amplitude and the residual RMS.</summary>
    public static (double Amplitude, double ResidualRms) FitSine(ReadOnlySpan<float> x, int rate, double freq, int start, int count)
    {
        double ss = 0, cc = 0, sc = 0, xs = 0, xc = 0;
        for (int i = start; i < start + count; i++)
        {
            double w = 2 * Math.PI * freq * i / rate, s = Math.Sin(w), c = Math.Cos(w);
            ss += s * s; cc += c * c; sc += s * c; xs += x[i] * s; xc += x[i] * c;
        }
        double det = ss * cc - sc * sc;
        double a = (xs * cc - xc * sc) / det, b = (xc * ss - xs * sc) / det;
        double res = 0;
        for (int i = start; i < start + count; i++)
        {
            double w = 2 * Math.PI * freq * i / rate;
            double e = x[i] - (a * Math.Sin(w) + b * Math.Cos(w));
            res += e * e;
        }
        return (Math.Sqrt(a * a + b * b), Math.Sqrt(res / count));
    }

    public static double Rms(ReadOnlySpan<float> x, int start, int count)
    {
        double s = 0;
        for (int i = start; i < start + count; i++) s += (double)x[i] * x[i];
        return Math.Sqrt(s / Math.Max(1, count));
    }

    /// <summary>10·log10(signal power / error power) of <paramref name="got"/> against <paramref name="want"/> over a range.</summary>
    public static double SnrDb(ReadOnlySpan<float> want, ReadOnlySpan<float> got, int start, int count)
    {
        double sig = 0, err = 0;
        for (int i = start; i < start + count; i++)
        {
            sig += (double)want[i] * want[i];
            double e = (double)got[i] - want[i];
            err += e * e;
        }
        return 10 * Math.Log10(sig / Math.Max(err, 1e-300));
    }

    public static double Db(double ratio) => 20 * Math.Log10(Math.Max(ratio, 1e-300));
}
