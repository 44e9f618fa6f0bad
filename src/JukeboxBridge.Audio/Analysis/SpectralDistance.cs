namespace JukeboxBridge.Audio.Analysis;

/// <summary>
/// How far a reconstruction's spectrum is from the original's: spectral convergence ‖|S| − |Ŝ|‖ / ‖|S|‖ (Frobenius,
/// STFT magnitudes; 0 is perfect, 1 is as far as silence), and a multi-resolution STFT distance: the mean over three
/// resolutions of spectral convergence plus the mean absolute difference of log magnitudes.
/// </summary>
public static class SpectralDistance
{
    public static readonly (int Fft, int Hop)[] Resolutions = [(2048, 512), (1024, 256), (512, 128)];

    public static double Convergence(ReadOnlySpan<float> reference, ReadOnlySpan<float> estimate, int rate, int fft = 2048, int hop = 512)
    {
        var (num, den, _, _) = Compare(reference, estimate, rate, fft, hop);
        return Math.Sqrt(num / Math.Max(den, 1e-20));
    }

    public static double MultiResolution(ReadOnlySpan<float> reference, ReadOnlySpan<float> estimate, int rate)
    {
        double total = 0;
        foreach (var (fft, hop) in Resolutions)
        {
            var (num, den, logAbs, count) = Compare(reference, estimate, rate, fft, hop);
            total += Math.Sqrt(num / Math.Max(den, 1e-20)) + logAbs / Math.Max(count, 1);
        }
        return total / Resolutions.Length;
    }

    private static (double Num, double Den, double LogAbs, long Count) Compare(ReadOnlySpan<float> a, ReadOnlySpan<float> b, int rate, int fft, int hop)
    {
        int n = Math.Min(a.Length, b.Length);
        var sa = Spectrogram.Compute(a[..n], rate, fft, hop).Magnitudes;
        var sb = Spectrogram.Compute(b[..n], rate, fft, hop).Magnitudes;
        double num = 0, den = 0, logAbs = 0;
        long count = 0;
        for (int f = 0; f < sa.Length; f++)
            for (int k = 0; k < sa[f].Length; k++)
            {
                double d = sa[f][k] - sb[f][k];
                num += d * d; den += sa[f][k] * sa[f][k];
                logAbs += Math.Abs(Math.Log(sa[f][k] + 1e-7) - Math.Log(sb[f][k] + 1e-7));
                count++;
            }
        return (num, den, logAbs, count);
    }
}
