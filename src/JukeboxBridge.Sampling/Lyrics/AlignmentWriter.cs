using JukeboxBridge.Model.Transformers;
using JukeboxBridge.Model.Lyrics;
using JukeboxBridge.Model.Prior;
using JukeboxBridge.Plots;
using JukeboxBridge.Sampling.Jobs;
using static TorchSharp.torch;

namespace JukeboxBridge.Sampling.Lyrics;

/// <summary>
/// A lyrics model's take, aligned: once the top level is sampled, the alignment of its codes with the job's lyrics
/// (<see cref="LyricAlignment"/>, the prior's alignment layer and head) goes into the job folder per variation as
/// lyrics-K.mid (a lyric meta event per word where its attention peaks) and alignment-K.png.
/// </summary>
public static class AlignmentWriter
{
    public static string MidiName(int variation) => $"lyrics-{variation + 1}.mid";
    public static string PngName(int variation) => $"alignment-{variation + 1}.png";

    /// <summary>Whether a top-level prior can be aligned (lyrics, and the layer/head named in its options).</summary>
    public static bool CanAlign(PriorOptions o) =>
        o.UseTokens && o.NTokens > 0 && o.AlignmentLayer is int layer && layer >= 0 && layer < o.Depth
        && AttentionOrder.For(o.AttnOrder, layer) is AttentionKind.Prime or AttentionKind.Cross;   // a layer that attends to the lyrics

    /// <returns>The files written (none when the prior has no alignment layer or the job no lyrics).</returns>
    public static List<string> Write(SimplePrior top, JobState state, double hopFraction, string dir, int sampleRate, double? bpm = null)
    {
        var files = new List<string>();
        var o = top.Options;
        int level = state.Levels - 1;
        if (!CanAlign(o) || state.Lyrics[level] is not { } lyrics || state.Labels[level] is not Tensor labels) return files;
        using var scope = NewDisposeScope();
        var codes = state.Codes[level];
        var aligned = LyricAlignment.Compute(top, codes, labels, lyrics, o.AlignmentLayer!.Value, o.AlignmentHead ?? 0, hopFraction);
        var vocab = new LyricsVocabulary(Conditioning.StyleLabels.TableVersion(o));     // as the job's lyrics were tokenised
        double secondsPerCode = o.RawToTokens / (double)sampleRate;
        int n = (int)codes.shape[1];
        for (int v = 0; v < aligned.Length; v++)
        {
            string text = new(lyrics[v].Select(id => id > 0 && id <= vocab.Characters.Length ? vocab.Characters[(int)id - 1] : ' ').ToArray());
            var data = aligned[v].data<float>().ToArray();
            var words = LyricsMidi.Words(data, n, text, secondsPerCode);
            string mid = Path.Combine(dir, MidiName(v)), png = Path.Combine(dir, PngName(v));
            LyricsMidi.Write(mid, words, bpm, $"lyrics, take {v + 1}");
            var plot = new AlignmentPlot { Title = $"LYRIC ALIGNMENT  TAKE {v + 1} OF {aligned.Length}  LAYER {o.AlignmentLayer} HEAD {o.AlignmentHead ?? 0}  {words.Count} WORDS" };
            JukeboxBridge.Storage.AtomicFile.WriteAllBytes(png, plot.Render(data, n, text.Length, secondsPerCode,
                words.Select(w => (w.FirstChar, w.Seconds, w.Word)).ToList()).ToPng());
            files.Add(mid);
            files.Add(png);
        }
        return files;
    }
}
