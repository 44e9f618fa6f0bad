using TorchSharp;
using static TorchSharp.torch;

namespace JukeboxBridge.Model.Vqvae;

/// <summary>The reference's VQVAE.forward: level-0 reconstruction, total loss and metrics.</summary>
public sealed record ForwardResult(Tensor Reconstruction, Tensor Loss, Dictionary<string, Tensor> Metrics) : IDisposable
{
    public void Dispose()
    {
        Reconstruction.Dispose(); Loss.Dispose();
        foreach (var m in Metrics.Values) m.Dispose();
    }
}

public static class VqvaeForward
{
    /// <summary>
    /// Encode, quantise and decode every level, then the losses: for each level L (taken 2, 1, 0)
    /// recons/spectral/multispectral with 1-based suffixes, summed in that order, plus commitment.
    /// In training mode the quantiser metrics are added by the caller (see CodebookTrainer).
    /// </summary>
    public static ForwardResult Run(VQVAE m, Tensor audio, VqvaeLossOptions o, Func<int, Tensor, QuantiseResult>? quantise = null)
    {
        using var scope = NewDisposeScope();
        var x = audio.dim() == 2 ? audio.unsqueeze(-1) : audio;                       // (N, T, 1) target
        var xIn = m.Preprocess(x);
        var outs = new Tensor[m.Levels];
        var commits = new Tensor[m.Levels];
        for (int l = 0; l < m.Levels; l++)
        {
            var z = m.EncoderOf(l).forward(xIn);
            var q = quantise?.Invoke(l, z) ?? m.CodebookOf(l).Quantise(z);
            commits[l] = q.CommitLoss;
            outs[l] = m.DecoderOf(l).forward(q.Quantised).permute(0, 2, 1);           // (N, T, 1)
        }

        var metrics = new Dictionary<string, Tensor>();
        Tensor recons = zeros(new long[0]), spec = zeros(new long[0]), multi = zeros(new long[0]);
        for (int l = m.Levels - 1; l >= 0; l--)
        {
            var y = outs[l];
            var r = VqvaeLosses.Reconstruction(o.LossFn, x, y, o);
            var s = (o.UseNonrelativeSpecloss
                ? VqvaeLosses.SpectralLoss(x, y, VqvaeLossOptions.SpectralSettings) / o.Bandwidth.Spec
                : VqvaeLosses.SpectralConvergence(x, y)).mean();
            var ms = (VqvaeLosses.MultispectralLoss(x, y, o) / o.Bandwidth.Spec).mean();
            metrics[$"recons_loss_l{l + 1}"] = r;
            metrics[$"spectral_loss_l{l + 1}"] = s;
            metrics[$"multispectral_loss_l{l + 1}"] = ms;
            recons = recons + r; spec = spec + s; multi = multi + ms;
        }
        Tensor commit = commits[0];
        for (int l = 1; l < m.Levels; l++) commit = commit + commits[l];
        var loss = recons + o.Spectral * spec + o.Multispectral * multi + o.Commit * commit;

        var y0 = outs[0];
        using (no_grad())
        {
            metrics["spectral_convergence"] = VqvaeLosses.SpectralConvergence(x, y0).mean();
            metrics["l2_loss"] = VqvaeLosses.Reconstruction("l2", x, y0, o);
            metrics["l1_loss"] = VqvaeLosses.Reconstruction("l1", x, y0, o);
            metrics["linf_loss"] = VqvaeLosses.Reconstruction("linf", x, y0, o);
        }
        metrics["recons_loss"] = recons;
        metrics["spectral_loss"] = spec;
        metrics["multispectral_loss"] = multi;
        metrics["commit_loss"] = commit;
        foreach (var t in metrics.Values) t.MoveToOuterDisposeScope();
        return new ForwardResult(y0.contiguous().MoveToOuterDisposeScope(), loss.MoveToOuterDisposeScope(), metrics);
    }
}
