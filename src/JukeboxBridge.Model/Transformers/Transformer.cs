using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace JukeboxBridge.Model.Transformers;

/// <summary>The reference's Transformer: <c>_attn_mods</c>, one ResAttnBlock per layer, attention type by attn_order.</summary>
public sealed class Transformer : nn.Module<Tensor, Tensor?, Tensor>
{
    private readonly ModuleList<ResAttnBlock> _attn_mods;

    public Transformer(TransformerOptions o) : base(nameof(Transformer))
    {
        _attn_mods = new ModuleList<ResAttnBlock>();
        double rs = o.ResScale ? 1.0 / o.Depth : 1.0;
        for (int i = 0; i < o.Depth; i++) _attn_mods.Add(new ResAttnBlock(o.Attention(i), o.MMlp, o.InitScale, rs));
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
