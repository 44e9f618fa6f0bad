using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;
using JukeboxBridge.Model.Layers;

namespace JukeboxBridge.Model.Vqvae;

/// <summary>Settings shared by the residual stacks of one encoder/decoder.</summary>
public sealed record ResStackOptions(int Width, int Depth, double MConv, int DilationGrowthRate, int? DilationCycle, bool ResScale, bool ReverseDecoderDilation);

/// <summary>
/// Downsampling block: for each of <c>down</c> steps Conv1d(k=2s, stride s, pad s/2) + Resnet1D
/// (keys model.i.0, model.i.1), then Conv1d(width -> out, k3) (key model.down).
/// </summary>
public sealed class EncoderConvBlock : Module<Tensor, Tensor>
{
    private readonly Sequential model;

    public EncoderConvBlock(long inWidth, long outWidth, int down, int stride, ResStackOptions o) : base(nameof(EncoderConvBlock))
    {
        var steps = new List<Module<Tensor, Tensor>>();
        for (int i = 0; i < down; i++)
            steps.Add(Sequential(
                new Conv1dLayer(i == 0 ? inWidth : o.Width, o.Width, stride * 2, stride: stride, padding: stride / 2),
                new Resnet1D(o.Width, o)));
        steps.Add(new Conv1dLayer(o.Width, outWidth, 3, stride: 1, padding: 1));
        model = Sequential(steps.ToArray());
        RegisterComponents();
    }

    public override Tensor forward(Tensor x) => model.forward(x); // (N, in, T) -> (N, out, T / stride^down)
}

/// <summary>
/// Upsampling block: Conv1d(in -> width, k3) (model.0), then for each step Resnet1D (reversed
/// dilations if asked) + ConvTranspose1d(k=2s, stride s, pad s/2) (model.i+1.0, model.i+1.1); the
/// last step outputs <paramref name="outWidth"/>.
/// </summary>
public sealed class DecoderConvBlock : Module<Tensor, Tensor>
{
    private readonly Sequential model;

    public DecoderConvBlock(long inWidth, long outWidth, int down, int stride, ResStackOptions o, bool checkpointRes = false) : base(nameof(DecoderConvBlock))
    {
        var steps = new List<Module<Tensor, Tensor>> { new Conv1dLayer(inWidth, o.Width, 3, stride: 1, padding: 1) };
        for (int i = 0; i < down; i++)
            steps.Add(Sequential(
                new Resnet1D(o.Width, o, o.ReverseDecoderDilation, checkpointRes),
                new ConvTranspose1dLayer(o.Width, i == down - 1 ? outWidth : o.Width, stride * 2, stride: stride, padding: stride / 2)));
        model = Sequential(steps.ToArray());
        RegisterComponents();
    }

    public override Tensor forward(Tensor x) => model.forward(x); // (N, in, T) -> (N, out, T * stride^down)
}
