using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using JukeboxBridge.Model.Transformers;
using Transformer = JukeboxBridge.Model.Transformers.Transformer;   // not TorchSharp.Modules.Transformer

namespace JukeboxBridge.Model.Prior;

/// <summary>Learned positional embedding, the parameter <c>pos_emb</c> (L, W).</summary>
public sealed class PositionEmbedding : nn.Module
{
    public Parameter pos_emb;

    public PositionEmbedding(long length, long width, double initScale) : base(nameof(PositionEmbedding))
    {
        pos_emb = new Parameter(ModelInit.Normal(empty(length, width), 0, 0.01 * initScale));
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
    private readonly Linear? x_out;
    private readonly bool _addCondAfter;
    private readonly bool _tiedOutput;                                           // x_out shares x_emb's weight (kept float32)

    public long Bins { get; }
    public long Width { get; }
    public long Length { get; }

    public ConditionalAutoregressive2D(AutoregressiveOptions o) : base(nameof(ConditionalAutoregressive2D))
    {
        Bins = o.Bins; Width = o.Width; Length = o.Length;
        double initScale = o.Transformer.InitScale;
        x_emb = ModelInit.Embedding(Bins, Width);
        using (no_grad()) ModelInit.Normal(x_emb.weight!, 0, 0.02 * initScale);
        if (!o.HasLabels) start_token = new Parameter(ModelInit.Normal(empty(1, Width), 0, 0.01 * initScale));
        pos_emb = new PositionEmbedding(Length, Width, initScale);
        transformer = new Transformer(o.Transformer);
        if (!o.OnlyEncode)
        {
            x_out = ModelInit.Linear(Width, Bins, hasBias: false);
            if (o.TieOutput) x_out.weight = x_emb.weight;
        }
        _addCondAfter = o.TieOutput;
        _tiedOutput = o.TieOutput;
        RegisterComponents();
    }

    public Transformer Transformer => transformer;

    /// <summary>Sampling weights in bfloat16 (transformer Conv1Ds and x_out; see Precision). Returns how many were converted.</summary>
    public int UseBFloat16() => Precision.ToBFloat16(transformer, x_out is null || _tiedOutput ? [] : [x_out]);

    /// <summary>
    /// Tokens z (N, L) -> logits (N, L, bins). Position 0 sees <paramref name="yCond"/> (N, 1, W) (or the start
    /// token), position t the embedding of token t−1; plus pos_emb and <paramref name="xCond"/> (N, L, W) or none.
    /// </summary>
    public Tensor Forward(Tensor z, Tensor? xCond, Tensor? yCond, List<Tensor>? layerOutputs = null, List<Tensor>? transformerIo = null, Tensor? encoderKv = null)
    {
        using var scope = NewDisposeScope();
        long n = z.shape[0], l = z.shape[1];
        var first = yCond ?? start_token!.view(1, 1, Width).expand(n, 1, Width);
        var e = x_emb.forward(z);                                            // (N, L, W)
        var x = cat(new[] { first.to_type(e.dtype), e.narrow(1, 0, l - 1) }, 1);
        x = x + pos_emb.pos_emb.narrow(0, 0, l);
        if (xCond is not null) x = x + xCond;
        transformerIo?.Add(x.alias().DetachFromDisposeScope());   // caller owns these
        var h = transformer.Forward(x, encoderKv, layerOutputs);
        transformerIo?.Add(h.alias().DetachFromDisposeScope());
        if (_addCondAfter && xCond is not null) h = h + xCond;
        return (x_out is null ? h : x_out.forward(h)).MoveToOuterDisposeScope();   // encoder only: activations
    }

    /// <summary>
    /// Draws tokens autoregressively through the KV caches: the prime (N, P) is fed first (in chunks) only to
    /// fill the caches, then positions P … sampleTokens−1 are sampled one at a time (temperature, top-k/top-p,
    /// multinomial). Returns (N, sampleTokens) starting with the prime unchanged. Everything stays on the
    /// device: no per-token host synchronisation. <paramref name="stepLogits"/> collects each step's raw logits.
    /// </summary>
    public Tensor Sample(long n, Tensor? xCond, Tensor? yCond, Tensor? prime, long sampleTokens, SamplingOptions o,
                         Generator? generator = null, List<Tensor>? stepLogits = null, Tensor? encoderKv = null)
    {
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        long p = prime?.shape[1] ?? 0;
        if (sampleTokens > Length || p > sampleTokens)
            throw new ArgumentException($"cannot sample {sampleTokens} tokens with a prime of {p} in a context of {Length}");
        var device = x_emb.weight!.device;
        var first = (yCond ?? start_token!.view(1, 1, Width).expand(n, 1, Width)).to_type(x_emb.weight!.dtype);
        TorchThreads.Begin();                                                    // the process's --threads (auto: the free cores)
        var caches = transformer.NewCaches();
        try
        {
            // Inputs of positions [t0, t1): position 0 sees the start embedding, position t the token at t−1.
            Tensor Embed(long t0, long t1, Tensor? tokensBefore)
            {
                Tensor x = t0 == 0
                    ? (t1 == 1 ? first : cat(new[] { first, x_emb.forward(tokensBefore!.narrow(1, 0, t1 - 1)) }, 1))
                    : x_emb.forward(tokensBefore!.narrow(1, t0 - 1, t1 - t0));
                x = x + pos_emb.pos_emb.narrow(0, t0, t1 - t0);
                if (xCond is not null) x = x + xCond.narrow(1, t0, t1 - t0);
                return x;
            }

            var tokens = new List<Tensor>();
            if (p > 0)
            {
                tokens.Add(prime!);
                long chunk = o.ChunkSize is int cs && cs > 0 ? cs : p;
                for (long t0 = 0; t0 < p; t0 += chunk)
                {
                    long t1 = Math.Min(p, t0 + chunk);
                    o.Cancel.ThrowIfCancellationRequested();
                    using var quiet = GcQuiet.Begin();
                    using var _ = transformer.Step(Embed(t0, t1, prime), encoderKv, caches);
                }
            }
            Tensor? last = p > 0 ? prime!.narrow(1, p - 1, 1) : null;
            for (long t = p; t < sampleTokens; t++)
            {
                o.Cancel.ThrowIfCancellationRequested();
                TorchThreads.Tick();                                              // follow the free cores (auto threads)
                using var quiet = GcQuiet.Begin();
                using var stepScope = NewDisposeScope();
                Tensor x;
                if (t == 0) x = Embed(0, 1, null);
                else
                {
                    x = x_emb.forward(last!) + pos_emb.pos_emb.narrow(0, t, 1);
                    if (xCond is not null) x = x + xCond.narrow(1, t, 1);
                }
                var h = transformer.Step(x, encoderKv, caches);
                if (_addCondAfter && xCond is not null) h = h + xCond.narrow(1, t, 1);
                var w = x_out!.weight!;
                var logits = n <= SmallBatchLinear.MaxRows ? SmallBatchLinear.Apply(w, null, h)   // (N, 1, bins): x_out, streamed as W · hᵀ
                           : w.dtype == h.dtype ? x_out.forward(h) : nn.functional.linear(h.to_type(w.dtype), w).to_type(h.dtype);
                stepLogits?.Add(logits.alias().DetachFromDisposeScope());
                var filtered = LogitFilter.Apply(o.Temperature == 1.0 ? logits : ScalarMath.Div(logits, o.Temperature), o.TopK, o.TopP);
                var probs = filtered.softmax(-1).view(n, Bins);
                var next = multinomial(probs, 1, generator: generator);          // (N, 1)
                last = next.MoveToOuterDisposeScope();
                tokens.Add(last);
                o.OnToken?.Invoke(t - p + 1);
            }
            return (tokens.Count == 0 ? zeros(new[] { n, 0L }, ScalarType.Int64, device) : cat(tokens, 1)).MoveToOuterDisposeScope();
        }
        finally
        {
            foreach (var c in caches) c.Dispose();                               // the reference clears caches after every call
        }
    }
}
