using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace JukeboxBridge.Model.Transformers;

/// <summary>Pre-LayerNorm transformer block: a = attn(ln_0(x)); m = mlp(ln_1(x + a)); x + a + m·res_scale.</summary>
public sealed class ResAttnBlock : nn.Module<Tensor, Tensor?, Tensor>
{
    // Declaration order = state-dict order of the reference: attn, ln_0, mlp, ln_1.
    private readonly FactoredAttention attn;
    private readonly LayerNorm ln_0;
    private readonly Mlp mlp;
    private readonly LayerNorm ln_1;
    private readonly double _resScale;

    public ResAttnBlock(AttentionOptions o, double mMlp = 1.0, double initScale = 1.0, double resScale = 1.0, bool zeroOut = false) : base(nameof(ResAttnBlock))
    {
        ln_0 = nn.LayerNorm(o.Width, 1e-5);
        attn = new FactoredAttention(o, initScale, zeroOut);
        ln_1 = nn.LayerNorm(o.Width, 1e-5);
        mlp = new Mlp(o.Width, (long)(mMlp * o.Width), initScale, zeroOut || o.Kind == AttentionKind.Cross, o.HalfWeights);
        _resScale = resScale;
        RegisterComponents();
    }

    public FactoredAttention Attention => attn;

    /// <summary>The attention sub-layer alone, on ln_0(x) (what the fixtures call output/attn).</summary>
    public Tensor AttentionOnly(Tensor x, Tensor? encoderKv = null)
    {
        using var scope = NewDisposeScope();
        return attn.forward(Norm(ln_0, x), encoderKv).MoveToOuterDisposeScope();
    }

    public override Tensor forward(Tensor x, Tensor? encoderKv)
    {
        using var scope = NewDisposeScope();
        var a = attn.forward(Norm(ln_0, x), encoderKv);
        var m = mlp.forward(Norm(ln_1, x + a));
        var h = _resScale == 1.0 ? x + a + m : x + a + ScalarMath.Mul(m, _resScale);
        return h.MoveToOuterDisposeScope();
    }

    /// <summary>Sampling path: the next positions through the layer's KV cache (same result as the full forward there).</summary>
    public Tensor Step(Tensor x, Tensor? encoderKv, KvCache cache)
    {
        using var scope = NewDisposeScope();
        var a = attn.Step(Norm(ln_0, x), encoderKv, cache);
        var m = mlp.forward(Norm(ln_1, x + a));
        var h = _resScale == 1.0 ? x + a + m : x + a + ScalarMath.Mul(m, _resScale);
        return h.MoveToOuterDisposeScope();
    }

    /// <summary>LayerNorm in float32, cast back to the input dtype (the reference's fp16 rule).</summary>
    private static Tensor Norm(LayerNorm ln, Tensor x) =>
        x.dtype == ScalarType.Float32 ? ln.forward(x) : ln.forward(x.to_type(ScalarType.Float32)).to_type(x.dtype);
}
