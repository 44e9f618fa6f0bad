using System.Numerics;

namespace JukeboxBridge.Audio.Resampling;

/// <summary>Design targets of a <see cref="Resampler"/>, relative to the lower of the two Nyquist frequencies.</summary>
public sealed record ResamplerQuality(double PassbandFraction = 0.875, double StopbandFraction = 1.0, double AttenuationDb = 110)
{
    public static readonly ResamplerQuality High = new();
}

/// <summary>
/// Band-limited sample-rate converter for any integer rate pair: a polyphase Kaiser-windowed sinc
/// evaluated on the exact rational grid (out/in reduced to L/M). Flat to 0.875 of the lower Nyquist
/// (19.3 kHz at 44.1 kHz), fully stopped at the lower Nyquist, 110 dB design attenuation. Offline:
/// the whole signal at once, zero-phase (output sample n is input time n*in/out), edges zero-padded.
/// </summary>
public sealed class Resampler
{
    private const int MaxExactPhases = 4096;

    public int InputRate { get; }
    public int OutputRate { get; }
    /// <summary>Taps per output sample.</summary>
    public int Taps => 2 * _halfTaps;

    private readonly long _up, _down;        // out/in = up/down, reduced
    private readonly int _halfTaps;          // K: input samples on each side
    private readonly int _phases;            // table phases (== up when exact, else interpolated)
    private readonly float[] _table;         // (_phases + 1) x Taps

    public Resampler(int inputRate, int outputRate, ResamplerQuality? quality = null)
    {
        if (inputRate <= 0 || outputRate <= 0) throw new ArgumentOutOfRangeException(nameof(inputRate), "sample rates must be positive");
        var q = quality ?? ResamplerQuality.High;
        InputRate = inputRate; OutputRate = outputRate;
        long g = (long)BigInteger.GreatestCommonDivisor(inputRate, outputRate);
        _up = outputRate / g; _down = inputRate / g;

        double nyq = Math.Min(inputRate, outputRate) / 2.0;
        double fPass = q.PassbandFraction * nyq, fStop = q.StopbandFraction * nyq;
        double fc = (fPass + fStop) / 2 / inputRate;                 // cycles per input sample
        double transition = (fStop - fPass) / inputRate;
        _halfTaps = Math.Max(2, (KaiserLowpass.Length(q.AttenuationDb, transition) + 1) / 2);
        double beta = KaiserLowpass.Beta(q.AttenuationDb), i0 = KaiserLowpass.BesselI0(beta);

        _phases = (int)Math.Min(_up, MaxExactPhases);
        int taps = Taps;
        _table = new float[(_phases + 1) * taps];
        var row = new double[taps];
        for (int p = 0; p <= _phases; p++)
        {
            double frac = (double)p / _phases;
            double sum = 0;
            for (int m = 0; m < taps; m++) sum += row[m] = KaiserLowpass.Kernel(frac + _halfTaps - 1 - m, fc, _halfTaps, beta, i0);
            for (int m = 0; m < taps; m++) _table[p * taps + m] = (float)(row[m] / sum); // unity DC gain per phase
        }
    }

    public int OutputLength(int inputLength) => (int)((inputLength * _up + _down - 1) / _down);

    public float[] Process(ReadOnlySpan<float> x)
    {
        if (_up == _down) return x.ToArray();
        int taps = Taps, outLen = OutputLength(x.Length);
        var y = new float[outLen];
        var padded = new float[x.Length + 2 * taps];                  // zeros before and after
        x.CopyTo(padded.AsSpan(taps));
        var tmp = new float[taps];
        bool exact = _phases == _up;
        for (int n = 0; n < outLen; n++)
        {
            long pos = n * _down;
            long baseIdx = pos / _up;
            long rem = pos % _up;
            int start = (int)(baseIdx + 1 - _halfTaps + taps);        // index into padded
            var window = padded.AsSpan(start, taps);
            if (exact)
                y[n] = Dot(window, _table.AsSpan((int)rem * taps, taps));
            else
            {
                double pf = (double)rem / _up * _phases;
                int p0 = (int)pf;
                float w = (float)(pf - p0);
                var a = _table.AsSpan(p0 * taps, taps);
                var b = _table.AsSpan((p0 + 1) * taps, taps);
                for (int m = 0; m < taps; m++) tmp[m] = a[m] + w * (b[m] - a[m]);
                y[n] = Dot(window, tmp);
            }
        }
        return y;
    }

    public AudioClip Process(AudioClip clip)
    {
        if (clip.SampleRate != InputRate) throw new ArgumentException($"clip is {clip.SampleRate} Hz, this resampler takes {InputRate} Hz");
        var chs = new float[clip.ChannelCount][];
        Parallel.For(0, clip.ChannelCount, c => chs[c] = Process(clip.Channels[c]));
        return new AudioClip(OutputRate, chs);
    }

    /// <summary>Converts a clip to <paramref name="rate"/> (returns it unchanged if already there).</summary>
    public static AudioClip Convert(AudioClip clip, int rate) =>
        clip.SampleRate == rate ? clip : new Resampler(clip.SampleRate, rate).Process(clip);

    private static float Dot(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        var acc = Vector<float>.Zero;
        int i = 0, w = Vector<float>.Count;
        for (; i <= a.Length - w; i += w) acc += new Vector<float>(a[i..]) * new Vector<float>(b[i..]);
        float s = Vector.Sum(acc);
        for (; i < a.Length; i++) s += a[i] * b[i];
        return s;
    }
}
