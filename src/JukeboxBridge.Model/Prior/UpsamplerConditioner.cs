using JukeboxBridge.Model.Vqvae;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace JukeboxBridge.Model.Prior;

/// <summary>
/// Conditioning of an upsampler on the codes of the level above (reference Conditioner,
/// <c>conditioner_blocks.0</c>): x_emb, a DecoderConvBlock (cond_width, cond_depth, dilations in natural order,
/// residual units named <c>blocks</c> when cond_c_res), then LayerNorm <c>ln</c>. (N, T/4) codes -> (N, T, W).
/// </summary>
public sealed class UpsamplerConditioner : nn.Module<Tensor, Tensor>
{
    private readonly Embedding x_emb;
    private readonly DecoderConvBlock cond;
    private readonly LayerNorm ln;

    public UpsamplerConditioner(PriorOptions o) : base(nameof(UpsamplerConditioner))
    {
        x_emb = ModelInit.Embedding(o.LBins, o.Width);
        using (no_grad()) ModelInit.Normal(x_emb.weight!, 0, 0.02 * o.InitScale);
        var stack = new ResStackOptions(o.CondWidth, o.CondDepth, o.CondMConv, o.CondDilationGrowthRate, o.CondDilationCycle,
                                        o.CondResScale, ReverseDecoderDilation: false);
        cond = new DecoderConvBlock(o.Width, o.Width, o.CondDownT, o.CondStrideT, stack, checkpointRes: o.CondCRes == 1);
        ln = nn.LayerNorm(o.Width, 1e-5);
        RegisterComponents();
    }

    public override Tensor forward(Tensor codes)
    {
        using var scope = NewDisposeScope();
        var x = x_emb.forward(codes).permute(0, 2, 1);                       // (N, W, T/4)
        x = cond.forward(x).permute(0, 2, 1);                                  // (N, T, W)
        return ln.forward(x).MoveToOuterDisposeScope();
    }
}
