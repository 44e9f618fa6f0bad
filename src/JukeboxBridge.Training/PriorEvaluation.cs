using JukeboxBridge.Model.Labels;
using JukeboxBridge.Model.Prior;
using static TorchSharp.torch;

namespace JukeboxBridge.Training;

/// <summary>Negative log-likelihood of a prior on a corpus, in bits per code (uniform over 2^k codes = k bits).</summary>
public static class PriorEvaluation
{
    /// <summary>Mean bits per code over up to <paramref name="maxWindows"/> windows spread evenly over the corpus (deterministic).</summary>
    public static double BitsPerToken(SimplePrior prior, PriorCorpus corpus, Labeller? labeller, int maxWindows)
    {
        var o = prior.Options;
        var all = corpus.Windows(o, o.NCtx / 2).ToList();
        if (all.Count == 0) return double.NaN;
        int take = Math.Min(maxWindows, all.Count);
        bool wasTraining = prior.training;
        prior.eval();
        try
        {
            using var noGrad = no_grad();
            double sum = 0;
            for (int i = 0; i < take; i++)
            {
                var (piece, start) = all[(int)((long)i * all.Count / take)];
                using var scope = NewDisposeScope();
                using var b = corpus.Window(piece, start, o, labeller);
                using var fwd = prior.Forward(b.Codes, b.Labels, b.Upper);
                sum += fwd.GenLoss.item<float>();
            }
            return sum / take;
        }
        finally { if (wasTraining) prior.train(); }
    }
}
