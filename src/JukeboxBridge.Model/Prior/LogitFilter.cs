using static TorchSharp.torch;

namespace JukeboxBridge.Model.Prior;

/// <summary>
/// The reference's filter_logits on the last dimension: top-k keeps every logit ≥ the k-th largest (ties
/// survive); top-p keeps the most likely tokens until their cumulative probability passes p, including the
/// one that crosses it. Removed logits become −inf. Works on the device, no host synchronisation.
/// </summary>
public static class LogitFilter
{
    public static Tensor Apply(Tensor logits, int topK = 0, double topP = 0)
    {
        if (topK < 0 || topP < 0 || topP > 1) throw new ArgumentOutOfRangeException(nameof(topK), "top_k must be >= 0 and top_p in [0, 1]");
        if (topK > 0 && topP > 0) throw new ArgumentException("set top_k or top_p, not both (as the reference; JobSettings refuses it first)");
        if (topK == 0 && topP == 0) return logits.alias();                         // nothing to filter: no copy per token
        using var scope = NewDisposeScope();
        var x = logits.clone();
        long vocab = x.shape[^1];
        if (topK > 0)
        {
            int k = (int)Math.Min(topK, vocab);
            var (values, _) = x.topk(k, dim: -1);
            var kth = values.narrow(-1, k - 1, 1);                                 // (..., 1)
            x = ScalarMath.MaskedFill(x, x.lt(kth), double.NegativeInfinity);
        }
        if (topP > 0)
        {
            var (sorted, idx) = x.sort(-1, descending: true);
            var cum = sorted.softmax(-1).cumsum(-1);
            var remove = cum.gt(topP);
            // Shift right: keep the first token and the one that crosses the threshold.
            remove = cat(new[] { zeros_like(remove.narrow(-1, 0, 1)), remove.narrow(-1, 0, vocab - 1) }, -1);
            var removeOrig = zeros_like(remove).scatter_(-1, idx, remove);
            x = ScalarMath.MaskedFill(x, removeOrig, double.NegativeInfinity);
        }
        return x.MoveToOuterDisposeScope();
    }
}
