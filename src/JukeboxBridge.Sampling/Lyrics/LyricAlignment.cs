using JukeboxBridge.Model.Lyrics;
using JukeboxBridge.Model.Prior;
using static TorchSharp.torch;

namespace JukeboxBridge.Sampling.Lyrics;

/// <summary>
/// Which lyric character the music attends to at every top-level token: the reference's get_alignment
/// (jukebox/align.py). For each top-level window (the sampling windows: hop = hop_fraction · n_ctx) the teacher-forced
/// forward of a lyrics prior records the attention of one layer and head over that window's lyric tokens (1b_lyrics:
/// the prime-attention layer's lyric columns; 5b_lyrics: the cross-attention); the windows are laid into a
/// (codes, lyric characters) matrix per item, the earliest window winning where they overlap. Codes shorter than n_ctx
/// are padded with code 0 to one window and the padding rows dropped, as the reference does.
/// </summary>
public static class LyricAlignment
{
    /// <summary>Window starts of get_alignment (the reference's get_starts): 0, hop, 2·hop, …, the last one ending at the codes' end.</summary>
    public static List<long> Starts(long total, long nCtx, long hop)
    {
        var starts = new List<long>();
        for (long s = 0; s < total - nCtx + hop; s += hop) starts.Add(s + nCtx >= total ? total - nCtx : s);
        return starts;
    }

    /// <summary>
    /// z (N, T) top-level codes, baseLabels (N, label length) the job's label rows (offset 0 = where the codes start in
    /// the song), fullLyrics the whole lyric of every item -> per item a float32 (T, lyric characters) matrix.
    /// </summary>
    public static Tensor[] Compute(SimplePrior prior, Tensor z, Tensor baseLabels, IReadOnlyList<long[]> fullLyrics, int layer, int head, double hopFraction)
    {
        var o = prior.Options;
        if (!o.UseTokens || o.NTokens <= 0) throw new ArgumentException("lyric alignment needs a lyrics prior");
        var attention = prior.Prior.Transformer.Layer(layer).Attention;
        long n = z.shape[0], total = z.shape[1], nCtx = o.NCtx;
        long padding = Math.Max(0, nCtx - total);
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var device = prior.parameters().First().device;
        var codes = padding > 0 ? cat(new[] { z, zeros(new[] { n, padding }, ScalarType.Int64, z.device) }, 1) : z;
        long t = total + padding;
        var starts = Starts(t, nCtx, (long)(hopFraction * nCtx));
        var result = new Tensor[n];
        var owned = new Tensor[n];
        for (int i = 0; i < n; i++) owned[i] = zeros(t, fullLyrics[i].Length + 1);
        bool recording = attention.RecordAttention;
        attention.RecordAttention = true;
        try
        {
            var totals = baseLabels.select(1, 0).data<long>().ToArray();
            var offsets0 = baseLabels.select(1, 1).data<long>().ToArray();
            for (int w = starts.Count - 1; w >= 0; w--)                                 // last to first: the earliest window wins
            {
                long start = starts[w];
                var y = LevelSampling.WindowLabels(o, baseLabels, start, fullLyrics);
                for (int i = 0; i < n; i++)
                {
                    using var itemScope = NewDisposeScope();
                    var window = LyricWindow.Select(fullLyrics[i], o.NTokens, totals[i], offsets0[i] + start * o.RawToTokens, o.SampleLength, float32Midpoint: true);
                    using var fwd = prior.Forward(codes.narrow(0, i, 1).narrow(1, start, nCtx).to(device), y.narrow(0, i, 1).to(device), null);
                    var attn = attention.RecordedAttention!.select(0, 0).select(0, head).cpu().to_type(ScalarType.Float32);   // (n_ctx, n_tokens)
                    long extra = fullLyrics[i].Length;                                    // -1 (left padding) lands in the dropped column
                    var cols = tensor(window.Indices.Select(k => k < 0 ? extra : k).ToArray());
                    owned[i].narrow(0, start, nCtx).index_copy_(1, cols, attn);
                }
            }
        }
        finally
        {
            attention.RecordAttention = recording;
        }
        for (int i = 0; i < n; i++)
            result[i] = owned[i].narrow(0, 0, total).narrow(1, 0, fullLyrics[i].Length).contiguous().MoveToOuterDisposeScope();
        return result;
    }
}
