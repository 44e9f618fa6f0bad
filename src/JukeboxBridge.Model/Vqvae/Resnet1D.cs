using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;
using JukeboxBridge.Model.Layers;

namespace JukeboxBridge.Model.Vqvae;

/// <summary>One residual block: y = x + r * Conv1x1(ReLU(Conv3_dilated(ReLU(x)))). Keys model.1.*, model.3.*.</summary>
public sealed class ResConv1DBlock : Module<Tensor, Tensor>
{
    private readonly Sequential model;                 // ReLU, conv3 (model.1), ReLU, conv1x1 (model.3): names as the reference
    private readonly double _resScale;

    public ResConv1DBlock(long nIn, long nState, long dilation, double resScale) : base(nameof(ResConv1DBlock))
    {
        model = Sequential(ReLU(), new Conv1dLayer(nIn, nState, 3, stride: 1, padding: dilation, dilation: dilation), ReLU(), new Conv1dLayer(nState, nIn, 1));
        _resScale = resScale;
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var h = model[1].call(functional.relu(x));     // (N, nState, T)
        h = model[3].call(h.relu_());                  // (N, nIn, T)
        if (_resScale != 1.0) h.mul_(_resScale);
        return h.add_(x).MoveToOuterDisposeScope();                // y = x + r*h, in h's memory
    }
}

/// <summary>
/// A stack of <c>depth</c> residual blocks with dilations rate^d (or rate^(d mod cycle)); reversed
/// stacks (the decoder's) run the largest dilation first and name blocks by their reversed position.
/// The container is called <c>model</c>, or <c>blocks</c> when built with checkpoint_res (the priors' conditioners).
/// </summary>
public sealed class Resnet1D : Module<Tensor, Tensor>
{
    private readonly Sequential? model;
    private readonly Sequential? blocks;

    /// <summary>A stack of <c>o.Depth</c> dilated residual blocks over <paramref name="nIn"/> channels; decoders reverse the dilations when asked.</summary>
    public Resnet1D(long nIn, ResStackOptions o, bool reverseDilation = false, bool checkpointRes = false) : base(nameof(Resnet1D))
    {
        var list = new List<Module<Tensor, Tensor>>();
        double scale = o.ResScale ? 1.0 / Math.Sqrt(o.Depth) : 1.0;
        for (int d = 0; d < o.Depth; d++)
        {
            int exp = o.DilationCycle is int c ? d % c : d;
            long dilation = (long)Math.Pow(o.DilationGrowthRate, exp);
            list.Add(new ResConv1DBlock(nIn, (long)(o.MConv * nIn), dilation, scale));
        }
        if (reverseDilation) list.Reverse();
        if (checkpointRes) blocks = Sequential(list.ToArray());
        else model = Sequential(list.ToArray());
        RegisterComponents();
    }

    public override Tensor forward(Tensor x) => (model ?? blocks)!.forward(x);
}
