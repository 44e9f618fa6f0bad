using TorchSharp;
using static TorchSharp.torch;

namespace JukeboxBridge.Model.Prior;

/// <summary>What a teacher-forced forward gives: logits and the losses in bits.</summary>
public sealed record PriorForward(Tensor Logits, Tensor Loss, Tensor GenLoss, Tensor PrimeLoss, Tensor? XCond, Tensor? YCond) : IDisposable
{
    public void Dispose() { Logits.Dispose(); Loss.Dispose(); GenLoss.Dispose(); PrimeLoss.Dispose(); XCond?.Dispose(); YCond?.Dispose(); }
}

/// <summary>
/// One level's prior (reference SimplePrior) without lyrics: <c>conditioner_blocks.0</c> (upsamplers),
/// <c>y_emb</c> (labels), <c>prior</c> (the autoregressive transformer). Lyrics (5b_lyrics' separate
/// encoder, 1b_lyrics' merged sequence) are not built yet.
/// </summary>
public sealed class SimplePrior : nn.Module
{
    private readonly TorchSharp.Modules.ModuleList<UpsamplerConditioner>? conditioner_blocks;
    private readonly LabelConditioner? y_emb;
    private readonly ConditionalAutoregressive2D prior;
    public PriorOptions Options { get; }

    public SimplePrior(PriorOptions o) : base(nameof(SimplePrior))
    {
        Options = o;
        if (o.XCond) conditioner_blocks = new TorchSharp.Modules.ModuleList<UpsamplerConditioner>(new UpsamplerConditioner(o));
        if (o.Labels)
            y_emb = new LabelConditioner(o.GenreArtistBins, o.Width, o.InitScale, o.IncludeTimeSignal, o.NCtx, o.TBins, o.SampleRate,
                                         o.MinDuration ?? 0, o.MaxDuration ?? 0);
        prior = new ConditionalAutoregressive2D(o.LBins, o.Width, o.NCtx, o.Depth, o.Heads, o.AttnOrder, o.BlockCount,
                                                o.MAttn, o.MMlp, o.InitScale, o.ResScale, hasLabels: o.Labels, tieOutput: o.TiedOutput, halfWeights: o.Fp16Params);
        RegisterComponents();
    }

    public ConditionalAutoregressive2D Prior => prior;

    /// <summary>
    /// Builds the prior on the meta device: every name, shape and dtype, no memory (for checking a
    /// configuration against a checkpoint's manifest; 5B parameters would need 20 GB). It switches libtorch's
    /// process-wide default device while building, so nothing else may create tensors meanwhile: call it only
    /// where no other work runs (tests mark it non-parallel).
    /// </summary>
    public static SimplePrior OnMetaDevice(PriorOptions o)
    {
        lock (MetaLock)
        {
            set_default_device(new Device("meta"));
            try { return new SimplePrior(o); }
            finally { set_default_device(new Device("cpu")); }
        }
    }

    private static readonly object MetaLock = new();

    /// <summary>x_cond (upper-level codes through the conditioner, or the timing embedding) and y_cond (label start embedding).</summary>
    public (Tensor? XCond, Tensor? YCond) Conditioning(Tensor? y, Tensor? zCond)
    {
        using var scope = NewDisposeScope();
        Tensor? xCond = null, yCond = null;
        if (y_emb is not null)
        {
            if (y is null) throw new ArgumentException("this prior needs labels (artist, genre, timing)");
            var (start, pos) = y_emb.forward(y.narrow(1, 0, Math.Min(y.shape[1], 4 + (Options.MaxBowGenreSize ?? 1))));
            yCond = start;
            if (Options.IncludeTimeSignal) xCond = pos;
        }
        if (conditioner_blocks is not null)
        {
            if (zCond is null) throw new ArgumentException($"the level-{Options.Level} upsampler needs the codes of level {Options.Level + 1}");
            xCond = conditioner_blocks[0].forward(zCond);
        }
        return (xCond?.MoveToOuterDisposeScope(), yCond?.MoveToOuterDisposeScope());
    }

    /// <summary>
    /// Samples one window: ancestral when <paramref name="prefix"/> is empty, else primed with it.
    /// Returns (N, sample_tokens) codes (default n_ctx), the prefix unchanged at the start.
    /// </summary>
    public Tensor Sample(long n, Tensor? y, Tensor? zCond, Tensor? prefix, SamplingOptions o, Generator? generator = null, List<Tensor>? stepLogits = null)
    {
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        var (xCond, yCond) = Conditioning(y, zCond);
        long tokens = o.SampleTokens ?? Options.NCtx;
        var prime = prefix is { } pz && pz.shape[1] > 0 ? pz : null;
        return prior.Sample(n, xCond, yCond, prime, tokens, o, generator, stepLogits).MoveToOuterDisposeScope();
    }

    /// <summary>Teacher-forced logits and loss (bits per token) for codes z (N, n_ctx).</summary>
    public PriorForward Forward(Tensor z, Tensor? y, Tensor? zCond, List<Tensor>? layerOutputs = null, List<Tensor>? transformerIo = null)
    {
        using var scope = NewDisposeScope();
        var (xCond, yCond) = Conditioning(y, zCond);
        var logits = prior.Forward(z, xCond, yCond, layerOutputs, transformerIo);
        var gen = nn.functional.cross_entropy(logits.reshape(-1, prior.Bins), z.reshape(-1)) / Math.Log(2);
        var primeLoss = zeros(new long[0], device: logits.device);
        var loss = gen.clone();
        return new PriorForward(logits.MoveToOuterDisposeScope(), loss.MoveToOuterDisposeScope(), gen.MoveToOuterDisposeScope(),
                                primeLoss.MoveToOuterDisposeScope(), xCond?.MoveToOuterDisposeScope(), yCond?.MoveToOuterDisposeScope());
    }
}
