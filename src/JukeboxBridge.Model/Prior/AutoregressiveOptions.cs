using JukeboxBridge.Model.Transformers;

namespace JukeboxBridge.Model.Prior;

/// <summary>
/// <see cref="ConditionalAutoregressive2D"/>'s shape: a vocabulary of <see cref="Bins"/> tokens over the transformer.
/// Without labels the sequence starts from a learned start token; a tied output shares x_emb's weights and adds
/// x_cond after the transformer; an encoder-only model (the 5b_lyrics lyric encoder) has no x_out.
/// </summary>
public sealed record AutoregressiveOptions(long Bins, TransformerOptions Transformer)
{
    public bool HasLabels { get; init; }
    public bool TieOutput { get; init; }
    public bool OnlyEncode { get; init; }
    public long Width => Transformer.Width;
    public long Length => Transformer.NCtx;
}
