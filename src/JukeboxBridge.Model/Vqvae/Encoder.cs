using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;
using JukeboxBridge.Model.Layers;

namespace JukeboxBridge.Model.Vqvae;

/// <summary>Encoder of level L: L+1 downsampling blocks from raw audio (its own weights; encoders share nothing).</summary>
public sealed class Encoder : Module<Tensor, Tensor>
{
    private readonly ModuleList<EncoderConvBlock> level_blocks;

    public Encoder(int level, VqvaeOptions o, ResStackOptions stack) : base(nameof(Encoder))
    {
        level_blocks = new ModuleList<EncoderConvBlock>();
        for (int j = 0; j <= level; j++)
            level_blocks.Add(new EncoderConvBlock(j == 0 ? 1 : o.EmbWidth, o.EmbWidth, o.DownsT[j], o.StridesT[j], stack));
        RegisterComponents();
    }

    /// <summary>Every block's output (N, emb, T/hop_j), j = 0..L; the last is the level's latent.</summary>
    public List<Tensor> ForwardAll(Tensor x)
    {
        var outs = new List<Tensor>();
        foreach (var b in level_blocks)
        {
            x = b.forward(x);
            outs.Add(x);
        }
        return outs;
    }

    public override Tensor forward(Tensor x)
    {
        var outs = ForwardAll(x);
        for (int i = 0; i < outs.Count - 1; i++) outs[i].Dispose();
        return outs[^1];
    }
}

/// <summary>Decoder of level L: blocks L, L-1, ..., 0 then <c>out</c> (Conv1d emb -> 1).</summary>
public sealed class Decoder : Module<Tensor, Tensor>
{
    private readonly ModuleList<DecoderConvBlock> level_blocks;
    private readonly Conv1dLayer @out;

    public Decoder(int level, VqvaeOptions o, ResStackOptions stack) : base(nameof(Decoder))
    {
        level_blocks = new ModuleList<DecoderConvBlock>();
        for (int j = 0; j <= level; j++)
            level_blocks.Add(new DecoderConvBlock(o.EmbWidth, o.EmbWidth, o.DownsT[j], o.StridesT[j], stack));
        @out = new Conv1dLayer(o.EmbWidth, 1, 3, stride: 1, padding: 1);
        RegisterComponents();
    }

    public override Tensor forward(Tensor z) // (N, emb, T/hop_L) -> (N, 1, T)
    {
        using var scope = NewDisposeScope();
        var x = z;
        for (int j = level_blocks.Count - 1; j >= 0; j--) x = level_blocks[j].forward(x);
        return @out.forward(x).MoveToOuterDisposeScope();
    }
}
