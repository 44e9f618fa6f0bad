using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace JukeboxBridge.Model.Layers;

/// <summary>
/// nn.Conv1d with torch's parameter names (<c>weight</c> (out, in, k), <c>bias</c>) and init. On CPU it
/// runs as one matmul per kernel tap, added into the output at the tap's shift (<see cref="TapConvolution"/>),
/// not through libtorch's oneDNN convolution, for two measured reasons:
/// <list type="bullet">
/// <item>correctness: TorchSharp 0.107's libtorch (oneDNN 3.7.1) returns wrong values or NaN from float32
/// conv1d on AVX-512 CPUs when a channel count is not a multiple of 16 (AMD EPYC here: 17..47, 72, 100 input
/// channels; input gradients with 8 output channels); Conv1dLayerTests reproduce the cases;</item>
/// <item>speed: oneDNN reorders every input and output between plain and blocked layouts, which on a
/// memory-bound machine costs more than the convolution (official VQ-VAE decode: ~4x slower).</item>
/// </list>
/// On CUDA the native (cuDNN) convolution is used.
/// </summary>
public sealed class Conv1dLayer : nn.Module<Tensor, Tensor>
{
    public Parameter weight;
    public Parameter? bias;
    private readonly long _stride, _padding, _dilation;
    public long InChannels { get; }
    public long OutChannels { get; }

    public Conv1dLayer(long inChannels, long outChannels, long kernelSize, long stride = 1, long padding = 0, long dilation = 1, bool hasBias = true)
        : base(nameof(Conv1dLayer))
    {
        InChannels = inChannels; OutChannels = outChannels;
        _stride = stride; _padding = padding; _dilation = dilation;
        double bound = 1.0 / Math.Sqrt(inChannels * kernelSize); // torch's default (kaiming_uniform, a=sqrt(5))
        weight = new Parameter(ModelInit.Uniform(empty(outChannels, inChannels, kernelSize), -bound, bound));
        bias = hasBias ? new Parameter(ModelInit.Uniform(empty(outChannels), -bound, bound)) : null;
        RegisterComponents();
    }

    public override Tensor forward(Tensor x) // (N, in, T) -> (N, out, T')
    {
        if (x.device_type != DeviceType.CPU) return nn.functional.conv1d(x, weight, bias, _stride, _padding, _dilation);
        return TapConvolution.Conv1d(x, weight, bias, _stride, _padding, _dilation);
    }
}

/// <summary>nn.ConvTranspose1d with torch's parameter names (<c>weight</c> (in, out, k), <c>bias</c>); CPU path as above.</summary>
public sealed class ConvTranspose1dLayer : nn.Module<Tensor, Tensor>
{
    public Parameter weight;
    public Parameter? bias;
    private readonly long _stride, _padding;

    public ConvTranspose1dLayer(long inChannels, long outChannels, long kernelSize, long stride = 1, long padding = 0, bool hasBias = true)
        : base(nameof(ConvTranspose1dLayer))
    {
        _stride = stride; _padding = padding;
        double bound = 1.0 / Math.Sqrt(outChannels * kernelSize); // torch's default: fan_in of a transposed conv is weight.size(1)*k
        weight = new Parameter(ModelInit.Uniform(empty(inChannels, outChannels, kernelSize), -bound, bound));
        bias = hasBias ? new Parameter(ModelInit.Uniform(empty(outChannels), -bound, bound)) : null;
        RegisterComponents();
    }

    public override Tensor forward(Tensor x) // (N, in, T) -> (N, out, (T-1)*stride - 2*padding + k)
    {
        if (x.device_type != DeviceType.CPU) return nn.functional.conv_transpose1d(x, weight, bias, _stride, _padding);
        return TapConvolution.ConvTranspose1d(x, weight, bias, _stride, _padding);
    }
}

/// <summary>Convolutions as per-tap matmuls (BLAS) plus shifted adds; differentiable, no layout reorders.</summary>
public static class TapConvolution
{
    /// <summary>y[:, :, t] = b + Σ_k W[:, :, k] · x[:, :, s·t + k·d − p] (zero outside x).</summary>
    public static Tensor Conv1d(Tensor x, Tensor weight, Tensor? bias, long stride, long padding, long dilation)
    {
        using var scope = NewDisposeScope();
        long t = x.shape[2], k = weight.shape[2];
        long tOut = (t + 2 * padding - dilation * (k - 1) - 1) / stride + 1;
        if (tOut <= 0) throw new ArgumentException($"input of {t} samples is too short for this convolution");
        // Batch items one by one as 2-D matmuls: (O, C) @ (C, len) keeps BLAS on strided views without copies.
        var items = new Tensor[x.shape[0]];
        for (long b = 0; b < items.Length; b++) items[b] = Conv1dItem(x[b], weight, bias, stride, padding, dilation, tOut);
        var y = items.Length == 1 ? items[0].unsqueeze(0) : stack(items, 0);
        return y.MoveToOuterDisposeScope();
    }

    private static Tensor Conv1dItem(Tensor x, Tensor weight, Tensor? bias, long stride, long padding, long dilation, long tOut)
    {
        long t = x.shape[1], o = weight.shape[0], k = weight.shape[2];
        Tensor? y = null;
        // Taps that cover the whole output first (the centre tap of a "same" conv), so y starts as a matmul result.
        var order = Enumerable.Range(0, (int)k).OrderBy(tap => tap * dilation - padding == 0 ? 0 : 1).ToArray();
        foreach (long tap in order)
        {
            long shift = tap * dilation - padding;                                   // input index = s*t + shift
            long t0 = Math.Max(0, CeilDiv(-shift, stride)), t1 = Math.Min(tOut, FloorDiv(t - 1 - shift, stride) + 1);
            if (t1 <= t0) continue;
            long start = stride * t0 + shift, len = t1 - t0;
            var xs = stride == 1 ? x.narrow(1, start, len) : x.slice(1, start, start + stride * (len - 1) + 1, stride);
            var w = weight.select(2, tap);
            if (y is null && t0 == 0 && len == tOut)
            {
                // The full-coverage tap starts the output, with the bias folded into the same BLAS call.
                y = bias is null ? w.matmul(xs) : addmm(bias.view(o, 1), w, xs, 1, 1);
                bias = null;
                continue;
            }
            var z = w.matmul(xs);                                                    // (O, C) @ (C, len)
            y ??= zeros(new[] { o, tOut }, dtype: x.dtype, device: x.device);
            y.narrow(1, t0, len).add_(z);
        }
        y ??= zeros(new[] { o, tOut }, dtype: x.dtype, device: x.device);
        if (bias is not null) y.add_(bias.view(o, 1));
        return y;
    }

    /// <summary>y[:, :, s·i + k − p] += W[:, :, k]ᵀ · x[:, :, i] for every i and tap k, plus bias.</summary>
    public static Tensor ConvTranspose1d(Tensor x, Tensor weight, Tensor? bias, long stride, long padding)
    {
        using var scope = NewDisposeScope();
        var items = new Tensor[x.shape[0]];
        for (long b = 0; b < items.Length; b++) items[b] = ConvTransposeItem(x[b], weight, bias, stride, padding);
        var y = items.Length == 1 ? items[0].unsqueeze(0) : stack(items, 0);
        return y.MoveToOuterDisposeScope();
    }

    private static Tensor ConvTransposeItem(Tensor x, Tensor weight, Tensor? bias, long stride, long padding)
    {
        long t = x.shape[1], o = weight.shape[1], k = weight.shape[2];
        long tOut = (t - 1) * stride - 2 * padding + k;
        var y = zeros(new[] { o, tOut }, dtype: x.dtype, device: x.device);
        for (long tap = 0; tap < k; tap++)
        {
            long shift = tap - padding;                                              // output index = s*i + shift
            long i0 = Math.Max(0, CeilDiv(-shift, stride)), i1 = Math.Min(t, FloorDiv(tOut - 1 - shift, stride) + 1);
            if (i1 <= i0) continue;
            long len = i1 - i0, start = stride * i0 + shift;
            var z = weight.select(2, tap).t().matmul(x.narrow(1, i0, len));          // (O, C) @ (C, len)
            var target = stride == 1 ? y.narrow(1, start, len) : y.slice(1, start, start + stride * (len - 1) + 1, stride);
            target.add_(z);
        }
        if (bias is not null) y.add_(bias.view(o, 1));
        return y;
    }

    private static long FloorDiv(long a, long b) => a >= 0 ? a / b : -((-a + b - 1) / b);
    private static long CeilDiv(long a, long b) => -FloorDiv(-a, b);
}
