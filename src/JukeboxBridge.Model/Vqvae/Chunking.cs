using static TorchSharp.torch;

namespace JukeboxBridge.Model.Vqvae;

/// <summary>
/// Batch and time chunking for encode/decode, so long audio fits in memory. Time chunks overlap by
/// each stack's receptive field, so chunked results equal whole-signal results (up to float rounding).
/// </summary>
internal static class Chunking
{
    public static Tensor OverBatch(Tensor x, int chunk, Func<Tensor, Tensor> f)
    {
        if (chunk <= 0 || x.shape[0] <= chunk) return f(x);
        var parts = new List<Tensor>();
        try
        {
            for (long b = 0; b < x.shape[0]; b += chunk)
                using (var slice = x.narrow(0, b, Math.Min(chunk, x.shape[0] - b)))
                    parts.Add(f(slice));
            return cat(parts, 0);
        }
        finally { parts.ForEach(p => p.Dispose()); }
    }

    public static Tensor EncodeOverTime(VQVAE m, Tensor audio, int level, long? chunkSamples)
    {
        long t = audio.shape[1];
        long unit = m.Options.LengthMultiple, hop = m.HopLengths[level];
        if (chunkSamples is not long c || t <= c) return m.EncodeLevel(audio, level);
        c = Math.Max(unit, c / unit * unit);
        long margin = RoundUp(ReceptiveField.EncoderSamples(m.Options, level), unit);
        var parts = new List<Tensor>();
        try
        {
            for (long s = 0; s < t; s += c)
            {
                long e = Math.Min(t, s + c);
                long a = Math.Max(0, s - margin), b = Math.Min(t, e + margin);
                using var piece = audio.narrow(1, a, b - a);
                using var codes = m.EncodeLevel(piece, level);                // (N, (b-a)/hop)
                parts.Add(codes.narrow(1, (s - a) / hop, (e - s) / hop).clone());
            }
            return cat(parts, 1);
        }
        finally { parts.ForEach(p => p.Dispose()); }
    }

    public static Tensor DecodeOverTime(VQVAE m, Tensor codes, int level, long? chunkFrames)
    {
        long t = codes.shape[1], hop = m.HopLengths[level];
        if (chunkFrames is not long c || t <= c) return m.DecodeLevel(codes, level);
        c = Math.Max(1, c);
        long margin = ReceptiveField.DecoderFrames(m.Options, level);
        var parts = new List<Tensor>();
        try
        {
            for (long s = 0; s < t; s += c)
            {
                long e = Math.Min(t, s + c);
                long a = Math.Max(0, s - margin), b = Math.Min(t, e + margin);
                using var piece = codes.narrow(1, a, b - a);
                using var audio = m.DecodeLevel(piece, level);                // (N, (b-a)*hop, 1)
                parts.Add(audio.narrow(1, (s - a) * hop, (e - s) * hop).clone());
            }
            return cat(parts, 1);
        }
        finally { parts.ForEach(p => p.Dispose()); }
    }

    private static long RoundUp(long x, long unit) => (x + unit - 1) / unit * unit;
}

/// <summary>One-sided receptive-field bounds of the encoder and decoder stacks (conservative).</summary>
public static class ReceptiveField
{
    /// <summary>Input samples on either side that can influence an encoder-L output.</summary>
    public static long EncoderSamples(VqvaeOptions o, int level)
    {
        long reach = 0, jump = 1;
        int mult = o.Multipliers[level];
        for (int j = 0; j <= level; j++)
        {
            for (int i = 0; i < o.DownsT[j]; i++)
            {
                reach += (2L * o.StridesT[j]) * jump;                       // strided conv, kernel 2s
                jump *= o.StridesT[j];
                reach += ResnetReach(o, o.Depth * mult) * jump;
            }
            reach += 1 * jump;                                               // kernel-3 output conv
        }
        return reach + jump;
    }

    /// <summary>Code frames on either side that can influence decoder-L audio.</summary>
    public static long DecoderFrames(VqvaeOptions o, int level)
    {
        // Work in level-L frames; after each upsampling step a frame spans fewer input frames.
        double reach = 0, scale = 1;
        int mult = o.Multipliers[level];
        for (int j = level; j >= 0; j--)
        {
            reach += 1 * scale;                                              // kernel-3 input conv
            for (int i = 0; i < o.DownsT[j]; i++)
            {
                reach += ResnetReach(o, o.Depth * mult) * scale;
                reach += 2 * scale;                                          // transposed conv
                scale /= o.StridesT[j];
            }
        }
        reach += 1 * scale;                                                  // output conv
        return (long)Math.Ceiling(reach) + 1;
    }

    private static long ResnetReach(VqvaeOptions o, int depth)
    {
        long r = 0;
        for (int d = 0; d < depth; d++) r += (long)Math.Pow(o.DilationGrowthRate, o.DilationCycle is int c ? d % c : d);
        return r;
    }
}
