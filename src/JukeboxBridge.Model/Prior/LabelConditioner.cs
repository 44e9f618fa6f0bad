using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace JukeboxBridge.Model.Prior;

/// <summary>
/// Labels to embeddings (reference LabelConditioner): start embedding = artist + bag of genres (N, 1, W);
/// with the timing signal also a per-position embedding (N, n_time, W) = total length + absolute + relative position.
/// Label row: [total_length, offset, length, artist, genre_1..genre_G] (lengths in samples, empty genre slots −1).
/// </summary>
public sealed class LabelConditioner : nn.Module<Tensor, (Tensor Start, Tensor? Pos)>
{
    private readonly SimpleEmbedding bow_genre_emb, artist_emb;
    private readonly RangeEmbedding? total_length_emb, absolute_pos_emb, relative_pos_emb;

    public LabelConditioner(LabelConditionerOptions o) : base(nameof(LabelConditioner))
    {
        bow_genre_emb = new SimpleEmbedding(o.Genres, o.Width, o.InitScale);
        artist_emb = new SimpleEmbedding(o.Artists, o.Width, o.InitScale);
        if (o.IncludeTimeSignal)
        {
            total_length_emb = new RangeEmbedding(1, o.TBins, (o.MinDuration * o.SampleRate, o.MaxDuration * o.SampleRate), o.Width, o.InitScale);
            absolute_pos_emb = new RangeEmbedding(o.NTime, o.TBins, (0.0, o.MaxDuration * o.SampleRate), o.Width, o.InitScale);
            relative_pos_emb = new RangeEmbedding(o.NTime, o.TBins, (0.0, 1.0), o.Width, o.InitScale, clamp: true);
        }
        RegisterComponents();
    }

    public override (Tensor Start, Tensor? Pos) forward(Tensor y)
    {
        using var scope = NewDisposeScope();
        var total = y.narrow(1, 0, 1);
        var offset = y.narrow(1, 1, 1);
        var length = y.narrow(1, 2, 1);
        var artist = y.narrow(1, 3, 1);
        var genre = y.narrow(1, 4, y.shape[1] - 4);
        var mask = genre.ge(0).to_type(ScalarType.Float32).unsqueeze(2);
        var start = (bow_genre_emb.forward(ScalarMath.ClampMin(genre, 0)) * mask).sum(1, keepdim: true) + artist_emb.forward(artist); // (N, 1, W)
        Tensor? pos = null;
        if (total_length_emb is not null)
        {
            var s = offset;
            var e = offset + length;
            var totalF = total.to_type(ScalarType.Float32);
            pos = total_length_emb.forward(total, null)
                + absolute_pos_emb!.forward(s, e)
                + relative_pos_emb!.forward(s.to_type(ScalarType.Float32) / totalF, e.to_type(ScalarType.Float32) / totalF);
            pos = pos.MoveToOuterDisposeScope();
        }
        return (start.MoveToOuterDisposeScope(), pos);
    }
}
