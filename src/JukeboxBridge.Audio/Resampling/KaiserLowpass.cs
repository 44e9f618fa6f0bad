namespace JukeboxBridge.Audio.Resampling;

/// <summary>Kaiser-windowed sinc lowpass design (Kaiser's formulas for beta and length from the stopband attenuation).</summary>
public static class KaiserLowpass
{
    /// <summary>Kaiser's beta for a stopband attenuation of <paramref name="attenuationDb"/> dB.</summary>
    public static double Beta(double attenuationDb) =>
        attenuationDb > 50 ? 0.1102 * (attenuationDb - 8.7)
        : attenuationDb >= 21 ? 0.5842 * Math.Pow(attenuationDb - 21, 0.4) + 0.07886 * (attenuationDb - 21)
        : 0;

    /// <summary>Filter length (taps) for a transition width given as a fraction of the sample rate.</summary>
    public static int Length(double attenuationDb, double transitionCyclesPerSample) =>
        (int)Math.Ceiling((attenuationDb - 7.95) / (2.285 * 2 * Math.PI * transitionCyclesPerSample)) + 1;

    /// <summary>Zeroth-order modified Bessel function of the first kind (power series).</summary>
    public static double BesselI0(double x)
    {
        double sum = 1, term = 1, q = x * x / 4;
        for (int k = 1; k < 200; k++)
        {
            term *= q / ((double)k * k);
            sum += term;
            if (term < sum * 1e-17) break;
        }
        return sum;
    }

    /// <summary>Kaiser window at x in [-1, 1] (0 outside).</summary>
    public static double Window(double x, double beta, double i0Beta) =>
        Math.Abs(x) >= 1 ? 0 : BesselI0(beta * Math.Sqrt(1 - x * x)) / i0Beta;

    /// <summary>Windowed sinc with cutoff <paramref name="fc"/> (cycles per sample) at time <paramref name="t"/> samples; window half-width <paramref name="halfWidth"/>.</summary>
    public static double Kernel(double t, double fc, double halfWidth, double beta, double i0Beta)
    {
        double x = 2 * fc * t;
        double sinc = Math.Abs(x) < 1e-12 ? 1 : Math.Sin(Math.PI * x) / (Math.PI * x);
        return 2 * fc * sinc * Window(t / halfWidth, beta, i0Beta);
    }
}
