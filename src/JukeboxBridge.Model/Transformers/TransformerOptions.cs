namespace JukeboxBridge.Model.Transformers;

/// <summary>
/// The transformer stack's shape (the reference's Transformer arguments), derived from <see cref="PriorOptions"/> and
/// passed down to every block, as nanoGPT passes its config. <see cref="Attention"/> gives layer i's attention.
/// </summary>
public sealed record TransformerOptions
{
    public required long Width { get; init; }
    public required long NCtx { get; init; }
    public required int Heads { get; init; }
    public required int Depth { get; init; }
    /// <summary>The reference's attn_order: which attention kind each layer gets (see <see cref="AttentionOrder"/>).</summary>
    public required int AttnOrder { get; init; }
    public int Blocks { get; init; } = 1;
    public double MAttn { get; init; } = 0.25;
    public double MMlp { get; init; } = 1.0;
    public double InitScale { get; init; } = 1.0;
    /// <summary>Scale each block's residual by 1/depth.</summary>
    public bool ResScale { get; init; }
    /// <summary>Lyric positions a cross-attention layer attends to (5b_lyrics), else null.</summary>
    public long? EncoderDims { get; init; }
    /// <summary>Lyric tokens at the start of a merged sequence (1b_lyrics), else null.</summary>
    public long? PrimeLen { get; init; }
    /// <summary>Conv1D weights held in float16 (5b checkpoints).</summary>
    public bool HalfWeights { get; init; }

    public AttentionOptions Attention(int layer) =>
        new(Width, NCtx, Heads, Blocks, AttentionOrder.For(AttnOrder, layer), MAttn, EncoderDims, PrimeLen, HalfWeights);
}
