using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace JukeboxBridge.Model.Prior;

/// <summary>Learned positional embedding, the parameter <c>pos_emb</c> (L, W).</summary>
public sealed class PositionEmbedding : nn.Module
{
    public Parameter pos_emb;

    public PositionEmbedding(long length, long width, double initScale) : base(nameof(PositionEmbedding))
    {
        pos_emb = new Parameter(empty(length, width).normal_(0, 0.01 * initScale));
        RegisterComponents();
    }
}

/// <summary>
/// The reference's autoregressive transformer over code tokens: x_emb, start_token (only without labels),
/// pos_emb, transformer, x_out (tied to x_emb when asked). Teacher-forced forward gives logits (N, L, bins).
/// </summary>
public sealed class ConditionalAutoregressive2D : nn.Module
{
    private readonly Embedding x_emb;
    private readonly Parameter? start_token;
    private readonly PositionEmbedding pos_emb;
    private readonly Transformer transformer;
    private readonly Linear x_out;
    private readonly bool _addCondAfter;

    public long Bins { get; }
    public long Width { get; }
    public long Length { get; }

    public ConditionalAutoregressive2D(long bins, long width, long length, int depth, int heads, int attnOrder, int blocks,
                                       double mAttn, double mMlp, double initScale, bool resScale, bool hasLabels, bool tieOutput)
        : base(nameof(ConditionalAutoregressive2D))
    {
        Bins = bins; Width = width; Length = length;
        x_emb = nn.Embedding(bins, width);
        using (no_grad()) x_emb.weight!.normal_(0, 0.02 * initScale);
        if (!hasLabels) start_token = new Parameter(empty(1, width).normal_(0, 0.01 * initScale));
        pos_emb = new PositionEmbedding(length, width, initScale);
        transformer = new Transformer(width, length, heads, depth, attnOrder, blocks, mAttn, mMlp, initScale, resScale);
        x_out = nn.Linear(width, bins, hasBias: false);
        if (tieOutput) x_out.weight = x_emb.weight;
        _addCondAfter = tieOutput;
        RegisterComponents();
    }

    public Transformer Transformer => transformer;

    /// <summary>
    /// Tokens z (N, L) -> logits (N, L, bins). Position 0 sees <paramref name="yCond"/> (N, 1, W) (or the start
    /// token), position t the embedding of token t−1; plus pos_emb and <paramref name="xCond"/> (N, L, W) or none.
    /// </summary>
    public Tensor Forward(Tensor z, Tensor? xCond, Tensor? yCond, List<Tensor>? layerOutputs = null, List<Tensor>? transformerIo = null)
    {
        using var scope = NewDisposeScope();
        long n = z.shape[0], l = z.shape[1];
        var first = yCond ?? start_token!.view(1, 1, Width).expand(n, 1, Width);
        var e = x_emb.forward(z);                                            // (N, L, W)
        var x = cat(new[] { first.to_type(e.dtype), e.narrow(1, 0, l - 1) }, 1);
        x = x + pos_emb.pos_emb.narrow(0, 0, l);
        if (xCond is not null) x = x + xCond;
        transformerIo?.Add(x.alias().DetachFromDisposeScope());   // caller owns these
        var h = transformer.Forward(x, null, layerOutputs);
        transformerIo?.Add(h.alias().DetachFromDisposeScope());
        if (_addCondAfter && xCond is not null) h = h + xCond;
        return x_out.forward(h).MoveToOuterDisposeScope();
    }
}
