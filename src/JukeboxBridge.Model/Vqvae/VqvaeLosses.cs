using JukeboxBridge.Errors;
using TorchSharp;
using static TorchSharp.torch;

namespace JukeboxBridge.Model.Vqvae;

/// <summary>Reconstruction and spectral losses of the reference (audio (N, T, 1) target x and prediction y).</summary>
public static class VqvaeLosses
{
    /// <summary>STFT magnitude of the channel mean: periodic Hann window of length win (centred in n_fft), reflect padding.</summary>
    public static Tensor Spec(Tensor audio, StftSettings s)
    {
        using var scope = NewDisposeScope();
        var mono = audio.dim() == 3 ? audio.mean(new long[] { -1 }) : audio;            // (N, T)
        var window = hann_window(s.Window, periodic: true, dtype: mono.dtype, device: mono.device);
        var st = stft(mono, s.NFft, s.Hop, s.Window, window, center: true, pad_mode: PaddingModes.Reflect,
                      normalized: false, onesided: true, return_complex: true);          // (N, F, frames)
        return st.abs().MoveToOuterDisposeScope();
    }

    /// <summary>Per-item Frobenius norm.</summary>
    public static Tensor Norm(Tensor x) => x.reshape(x.shape[0], -1).pow(2).sum(-1).sqrt();

    public static Tensor SpectralLoss(Tensor x, Tensor y, StftSettings s)
    {
        using var scope = NewDisposeScope();
        return Norm(Spec(x, s) - Spec(y, s)).MoveToOuterDisposeScope();
    }

    public static Tensor MultispectralLoss(Tensor x, Tensor y, VqvaeLossOptions o)
    {
        using var scope = NewDisposeScope();
        var settings = o.MultispecSettings.ToList();
        Tensor? sum = null;
        foreach (var s in settings)
        {
            var l = SpectralLoss(x, y, s);
            sum = sum is null ? l : sum + l;
        }
        return (sum! / settings.Count).MoveToOuterDisposeScope();
    }

    public static Tensor SpectralConvergence(Tensor x, Tensor y, double epsilon = 2e-3)
    {
        using var scope = NewDisposeScope();
        var s = VqvaeLossOptions.SpectralSettings;
        var sx = Spec(x, s);
        var gt = Norm(sx);
        var residual = Norm(sx - Spec(y, s));
        var mask = (gt > epsilon).to_type(gt.dtype);
        return (residual * mask / gt.clamp_min(epsilon)).MoveToOuterDisposeScope();
    }

    /// <summary>The reference's _loss_fn: l1, l2, linf or lmix, normalised by the bandwidth.</summary>
    public static Tensor Reconstruction(string name, Tensor x, Tensor y, VqvaeLossOptions o)
    {
        using var scope = NewDisposeScope();
        Tensor r = name switch
        {
            "l1" => (y - x).abs().mean() / o.Bandwidth.L1,
            "l2" => (y - x).pow(2).mean() / o.Bandwidth.L2,
            "linf" => Linf(x, y, o),
            "lmix" => Lmix(x, y, o),
            _ => throw new UserInputException("loss_fn", $"unknown loss_fn '{name}' (l1, l2, linf, lmix)"),
        };
        return r.MoveToOuterDisposeScope();
    }

    private static Tensor Linf(Tensor x, Tensor y, VqvaeLossOptions o)
    {
        var residual = (x - y).pow(2).reshape(x.shape[0], -1);
        long k = Math.Min(o.LinfK, residual.shape[1]);
        var (values, _) = residual.topk((int)k, dim: 1, largest: true, sorted: true);
        return values.mean() / o.Bandwidth.L2;
    }

    private static Tensor Lmix(Tensor x, Tensor y, VqvaeLossOptions o)
    {
        var loss = zeros(1, dtype: x.dtype, device: x.device).squeeze();
        if (o.LmixL1 != 0) loss = loss + o.LmixL1 * Reconstruction("l1", x, y, o);
        if (o.LmixL2 != 0) loss = loss + o.LmixL2 * Reconstruction("l2", x, y, o);
        if (o.LmixLinf != 0) loss = loss + o.LmixLinf * Reconstruction("linf", x, y, o);
        return loss;
    }
}
