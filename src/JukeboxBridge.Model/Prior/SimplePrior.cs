using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using JukeboxBridge.Model.Transformers;

namespace JukeboxBridge.Model.Prior;

/// <summary>What a teacher-forced forward gives: logits and the losses in bits.</summary>
public sealed record PriorForward(Tensor Logits, Tensor Loss, Tensor GenLoss, Tensor PrimeLoss, Tensor? XCond, Tensor? YCond, Tensor? EncoderKv) : IDisposable
{
    public void Dispose() { Logits.Dispose(); Loss.Dispose(); GenLoss.Dispose(); PrimeLoss.Dispose(); XCond?.Dispose(); YCond?.Dispose(); EncoderKv?.Dispose(); }
}

/// <summary>
/// One level's prior (reference SimplePrior): <c>conditioner_blocks.0</c> (upsamplers), <c>y_emb</c> (labels),
/// for 5b_lyrics the lyric encoder (<c>prime_prior</c>, <c>prime_state_proj</c>, <c>prime_state_ln</c>,
/// <c>prime_x_out</c>), and <c>prior</c>, the autoregressive transformer (for 1b_lyrics over lyrics and codes
/// in one sequence). Fields are declared in the reference's state-dict order.
/// </summary>
public sealed class SimplePrior : nn.Module
{
    private readonly ModuleList<UpsamplerConditioner>? conditioner_blocks;
    private readonly LabelConditioner? y_emb;
    private readonly ConditionalAutoregressive2D? prime_prior;
    private readonly Conv1D? prime_state_proj;
    private readonly LayerNorm? prime_state_ln;
    private readonly Linear? prime_x_out;
    private readonly ConditionalAutoregressive2D prior;
    public PriorOptions Options { get; }

    public SimplePrior(PriorOptions o) : base(nameof(SimplePrior))
    {
        Options = o;
        if (o.XCond) conditioner_blocks = new ModuleList<UpsamplerConditioner>(new UpsamplerConditioner(o));
        if (o.Labels) y_emb = new LabelConditioner(o.LabelConditioner);
        if (o.LyricEncoder)
        {
            prime_prior = new ConditionalAutoregressive2D(o.LyricEncoderModel);
            prime_state_proj = new Conv1D(o.PrimeWidth, o.Width, o.PrimeInitScale, o.Fp16Params);
            prime_state_ln = nn.LayerNorm(o.Width, 1e-5);
            prime_x_out = ModelInit.Linear(o.Width, o.NVocab, hasBias: false);
        }
        prior = new ConditionalAutoregressive2D(o.PriorModel);
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

    /// <summary>Label columns for y_emb: total, offset, length, artist, genres.</summary>
    private long LabelColumns => 4 + (Options.MaxBowGenreSize ?? 1);

    /// <summary>x_cond (upper-level codes through the conditioner, or the timing embedding), y_cond (label start embedding), lyric tokens.</summary>
    public (Tensor? XCond, Tensor? YCond, Tensor? Lyrics) Conditioning(Tensor? y, Tensor? zCond)
    {
        using var scope = NewDisposeScope();
        Tensor? xCond = null, yCond = null, lyrics = null;
        if (y_emb is not null)
        {
            if (y is null) throw new ArgumentException("this prior needs labels (artist, genre, timing)");
            var (start, pos) = y_emb.forward(y.narrow(1, 0, LabelColumns));
            yCond = start;
            if (Options.IncludeTimeSignal) xCond = pos;
        }
        if (Options.UseTokens && Options.NTokens > 0)
        {
            if (y is null || y.shape[1] < LabelColumns + Options.NTokens)
                throw new ArgumentException($"this prior needs {Options.NTokens} lyric tokens after the label columns");
            lyrics = y.narrow(1, y.shape[1] - Options.NTokens, Options.NTokens);
        }
        if (conditioner_blocks is not null)
        {
            if (zCond is null) throw new ArgumentException($"the level-{Options.Level} upsampler needs the codes of level {Options.Level + 1}");
            xCond = conditioner_blocks[0].forward(zCond);
        }
        return (xCond?.MoveToOuterDisposeScope(), yCond?.MoveToOuterDisposeScope(), lyrics?.MoveToOuterDisposeScope());
    }

    /// <summary>5b_lyrics: lyric tokens (N, n_tokens) -> encoder states (N, n_tokens, W) for the cross-attention layers.</summary>
    public Tensor EncodeLyrics(Tensor lyrics, List<Tensor>? primeActs = null)
    {
        using var scope = NewDisposeScope();
        var acts = prime_prior!.Forward(lyrics, null, null);                     // (N, n_tokens, W_e), causal, start-shifted
        primeActs?.Add(acts.alias().DetachFromDisposeScope());
        return prime_state_ln!.forward(prime_state_proj!.forward(acts)).MoveToOuterDisposeScope();
    }

    /// <summary>Teacher-forced logits and losses (bits per token) for codes z (N, n_ctx).</summary>
    public PriorForward Forward(Tensor z, Tensor? y, Tensor? zCond, List<Tensor>? layerOutputs = null, List<Tensor>? transformerIo = null, List<Tensor>? primeActs = null)
    {
        using var scope = NewDisposeScope();
        var o = Options;
        var (xCond, yCond, lyrics) = Conditioning(y, zCond);
        Tensor logits, gen, primeLoss;
        Tensor? encoderKv = null;
        double ln2 = Math.Log(2);
        if (o.MergedLyrics)
        {
            var tokens = cat(new[] { lyrics!, z + o.NVocab }, 1);                // (N, n_tokens + n_ctx)
            var xc = xCond is null ? null : cat(new[] { zeros(xCond.shape[0], o.NTokens, xCond.shape[2], dtype: xCond.dtype, device: xCond.device), xCond }, 1);
            logits = prior.Forward(tokens, xc, yCond, layerOutputs, transformerIo);
            gen = nn.functional.cross_entropy(logits.narrow(1, o.NTokens, o.NCtx).reshape(-1, prior.Bins), tokens.narrow(1, o.NTokens, o.NCtx).reshape(-1)) / ln2;
            primeLoss = nn.functional.cross_entropy(logits.narrow(1, 0, o.NTokens).reshape(-1, prior.Bins), lyrics!.reshape(-1)) / ln2;
        }
        else
        {
            if (o.LyricEncoder) encoderKv = EncodeLyrics(lyrics!, primeActs);
            logits = prior.Forward(z, xCond, yCond, layerOutputs, transformerIo, encoderKv);
            gen = nn.functional.cross_entropy(logits.reshape(-1, prior.Bins), z.reshape(-1)) / ln2;
            primeLoss = o.LyricEncoder
                ? nn.functional.cross_entropy(prime_x_out!.forward(encoderKv!).reshape(-1, o.NVocab), lyrics!.reshape(-1)) / ln2
                : zeros(new long[0], device: logits.device);
        }
        long pDims = o.UseTokens ? o.NTokens : 0, gDims = o.NCtx, total = pDims + gDims;
        var loss = o.PrimeLossFraction * primeLoss * ((double)pDims / total) + gen * ((double)gDims / total);
        return new PriorForward(logits.MoveToOuterDisposeScope(), loss.MoveToOuterDisposeScope(), gen.MoveToOuterDisposeScope(),
            primeLoss.MoveToOuterDisposeScope(), xCond?.MoveToOuterDisposeScope(), yCond?.MoveToOuterDisposeScope(), encoderKv?.MoveToOuterDisposeScope());
    }

    /// <summary>
    /// Samples one window: ancestral when <paramref name="prefix"/> is empty, else primed with it. Returns
    /// (N, sample_tokens) codes (default n_ctx), the prefix unchanged at the start. 1b_lyrics always primes
    /// with the lyrics; codes come back without them (a lyric token in a code position becomes code 0).
    /// </summary>
    public Tensor Sample(long n, Tensor? y, Tensor? zCond, Tensor? prefix, SamplingOptions o, Generator? generator = null, List<Tensor>? stepLogits = null)
    {
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        var po = Options;
        Tensor? xCond, yCond, lyrics;
        using (GcQuiet.Begin()) (xCond, yCond, lyrics) = Conditioning(y, zCond);
        long tokens = o.SampleTokens ?? po.NCtx;
        var codes = prefix is { } pz && pz.shape[1] > 0 ? pz : null;
        if (po.MergedLyrics)
        {
            var prime = codes is null ? lyrics! : cat(new[] { lyrics!, codes + po.NVocab }, 1);
            var xc = xCond is null ? null : cat(new[] { zeros(n, po.NTokens, xCond.shape[2], dtype: xCond.dtype, device: xCond.device), xCond }, 1);
            var all = prior.Sample(n, xc, yCond, prime, tokens + po.NTokens, o, generator, stepLogits);
            return ScalarMath.ClampMin(ScalarMath.Sub(all.narrow(1, po.NTokens, tokens), po.NVocab), 0).MoveToOuterDisposeScope();
        }
        var encoderKv = po.LyricEncoder ? EncodeLyrics(lyrics!) : null;
        return prior.Sample(n, xCond, yCond, codes, tokens, o, generator, stepLogits, encoderKv).MoveToOuterDisposeScope();
    }
}
