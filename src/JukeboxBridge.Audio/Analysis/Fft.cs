namespace JukeboxBridge.Audio.Analysis;

/// <summary>In-place iterative radix-2 complex FFT (sizes a power of two), enough for spectrograms and analysis.</summary>
public static class Fft
{
    /// <summary>Forward transform of (re, im) in place: X[k] = Σ x[n]·e^(−2πikn/N).</summary>
    public static void Forward(Span<double> re, Span<double> im)
    {
        int n = re.Length;
        if (n != im.Length || n == 0 || (n & (n - 1)) != 0) throw new ArgumentException($"FFT size must be a power of two, got {n}");
        for (int i = 1, j = 0; i < n; i++)
        {
            int bit = n >> 1;
            for (; (j & bit) != 0; bit >>= 1) j ^= bit;
            j ^= bit;
            if (i < j) { (re[i], re[j]) = (re[j], re[i]); (im[i], im[j]) = (im[j], im[i]); }
        }
        for (int len = 2; len <= n; len <<= 1)
        {
            double ang = -2 * Math.PI / len;
            double wr = Math.Cos(ang), wi = Math.Sin(ang);
            for (int s = 0; s < n; s += len)
            {
                double cr = 1, ci = 0;
                for (int k = 0; k < len / 2; k++)
                {
                    int a = s + k, b = a + len / 2;
                    double tr = re[b] * cr - im[b] * ci, ti = re[b] * ci + im[b] * cr;
                    re[b] = re[a] - tr; im[b] = im[a] - ti;
                    re[a] += tr; im[a] += ti;
                    double nr = cr * wr - ci * wi;
                    ci = cr * wi + ci * wr; cr = nr;
                }
            }
        }
    }

    /// <summary>Magnitudes |X[k]| for k = 0 … n/2 of a real frame (zero-padded to <paramref name="n"/>).</summary>
    public static double[] Magnitudes(ReadOnlySpan<double> frame, int n)
    {
        var re = new double[n];
        var im = new double[n];
        frame[..Math.Min(frame.Length, n)].CopyTo(re);
        Forward(re, im);
        var mag = new double[n / 2 + 1];
        for (int k = 0; k < mag.Length; k++) mag[k] = Math.Sqrt(re[k] * re[k] + im[k] * im[k]);
        return mag;
    }
}
