using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace JukeboxBridge.Model.Layers;

/// <summary>
/// nn.Conv1d with the same parameter names (<c>weight</c> (out, in, k), <c>bias</c>) and init, working around a
/// libtorch CPU bug: TorchSharp 0.107's libtorch (oneDNN 3.7.1) returns wrong values or NaN from float32
/// conv1d on AVX-512 CPUs when a channel count is not a multiple of 16 (seen on AMD EPYC: forward with
/// 17..47, 72, 100 input channels; input gradients with 8 output channels). Conv1dLayerTests reproduce it.
/// On CPU such layers compute the convolution as im2col + matmul (same numbers, autograd included);
/// layers whose channels are multiples of 16 (all of the official models') keep the fast native path.
/// </summary>
public sealed class Conv1dLayer : nn.Module<Tensor, Tensor>
{
    public Parameter weight;
    public Parameter? bias;
    private readonly long _stride, _padding, _dilation, _kernel;
    public long InChannels { get; }
    public long OutChannels { get; }

    /// <summary>Channel multiple that oneDNN handles correctly; 0 sends every CPU layer to the native path.</summary>
    public static int CpuChannelAlignment { get; set; } = 16;

    public Conv1dLayer(long inChannels, long outChannels, long kernelSize, long stride = 1, long padding = 0, long dilation = 1, bool hasBias = true)
        : base(nameof(Conv1dLayer))
    {
        InChannels = inChannels; OutChannels = outChannels;
        _kernel = kernelSize; _stride = stride; _padding = padding; _dilation = dilation;
        double bound = 1.0 / Math.Sqrt(inChannels * kernelSize); // torch's default (kaiming_uniform, a=sqrt(5))
        weight = new Parameter(empty(outChannels, inChannels, kernelSize).uniform_(-bound, bound));
        bias = hasBias ? new Parameter(empty(outChannels).uniform_(-bound, bound)) : null;
        RegisterComponents();
    }

    private bool UseIm2Col(Tensor x)
    {
        int a = CpuChannelAlignment;
        return a > 0 && x.device_type == DeviceType.CPU && (InChannels % a != 0 || OutChannels % a != 0);
    }

    public override Tensor forward(Tensor x) // (N, in, T) -> (N, out, T')
    {
        if (!UseIm2Col(x)) return nn.functional.conv1d(x, weight, bias, _stride, _padding, _dilation);
        using var scope = NewDisposeScope();
        long n = x.shape[0], t = x.shape[2];
        long tOut = (t + 2 * _padding - _dilation * (_kernel - 1) - 1) / _stride + 1;
        var xp = _padding > 0 ? nn.functional.pad(x, new long[] { _padding, _padding }) : x;
        // cols[n, c, k, t] = xp[n, c, k*dilation + t*stride]
        var taps = new Tensor[_kernel];
        for (long k = 0; k < _kernel; k++)
            taps[k] = xp.narrow(2, k * _dilation, (tOut - 1) * _stride + 1).slice(2, 0, (tOut - 1) * _stride + 1, _stride);
        var cols = stack(taps, 2).reshape(n, InChannels * _kernel, tOut);          // (N, C*k, T')
        var y = weight.reshape(OutChannels, InChannels * _kernel).matmul(cols);       // (N, O, T')
        if (bias is not null) y = y + bias.view(1, OutChannels, 1);
        return y.MoveToOuterDisposeScope();
    }
}
