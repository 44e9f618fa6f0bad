using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace JukeboxBridge.Model.Prior;

/// <summary>The reference's Transformer: <c>_attn_mods</c>, one ResAttnBlock per layer, attention type by attn_order.</summary>
public sealed class Transformer : nn.Module<Tensor, Tensor?, Tensor>
{
    private readonly ModuleList<ResAttnBlock> _attn_mods;

    public Transformer(long width, long nCtx, int heads, int depth, int attnOrder, int blocks, double mAttn = 0.25, double mMlp = 1.0,
                       double initScale = 1.0, bool resScale = false, long? encoderDims = null, long? primeLen = null, bool halfWeights = false) : base(nameof(Transformer))
    {
        _attn_mods = new ModuleList<ResAttnBlock>();
        double rs = resScale ? 1.0 / depth : 1.0;
        for (int i = 0; i < depth; i++)
        {
            var kind = AttentionOrder.For(attnOrder, i);
            _attn_mods.Add(new ResAttnBlock(new AttentionOptions(width, nCtx, heads, blocks, kind, mAttn, encoderDims, primeLen, halfWeights), mMlp, initScale, rs));
        }
        RegisterComponents();
    }

    public int Depth => _attn_mods.Count;
    public ResAttnBlock Layer(int i) => _attn_mods[i];

    /// <summary>(N, L, W) -> (N, L, W); <paramref name="layerOutputs"/> collects each layer's output when given.</summary>
    public Tensor Forward(Tensor x, Tensor? encoderKv, List<Tensor>? layerOutputs = null)
    {
        using var scope = NewDisposeScope();
        foreach (var layer in _attn_mods)
        {
            x = layer.forward(x, encoderKv);
            if (layerOutputs != null) layerOutputs.Add(x.alias().DetachFromDisposeScope()); // caller owns these
        }
        return x.MoveToOuterDisposeScope();
    }

    public override Tensor forward(Tensor x, Tensor? encoderKv) => Forward(x, encoderKv);

    /// <summary>One KV cache per layer for a sampling run (dispose after the run).</summary>
    public KvCache[] NewCaches() => _attn_mods.Select(l => new KvCache(l.Attention.Options)).ToArray();

    /// <summary>The next positions (N, c, W) through every layer's cache.</summary>
    public Tensor Step(Tensor x, Tensor? encoderKv, KvCache[] caches)
    {
        using var scope = NewDisposeScope();
        for (int i = 0; i < _attn_mods.Count; i++) x = _attn_mods[i].Step(x, encoderKv, caches[i]);
        return x.MoveToOuterDisposeScope();
    }
}
