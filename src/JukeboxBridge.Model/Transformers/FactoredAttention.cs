using JukeboxBridge.Errors;
using TorchSharp;
using static TorchSharp.torch;

namespace JukeboxBridge.Model.Transformers;

/// <summary>Shape of one attention layer (reference FactoredAttention arguments).</summary>
public sealed record AttentionOptions(long Width, long NCtx, int Heads, int Blocks, AttentionKind Kind,
                                      double MAttn = 0.25, long? EncoderDims = null, long? PrimeLen = null, bool HalfWeights = false)
// EncoderDims: number of encoder (lyric) positions a cross-attention layer attends to (the reference's encoder_dims).
{
    public long NState => (long)(MAttn * Width);
    public long HeadDim => NState / Heads;
    public long BlockCtx => NCtx / Blocks;
    /// <summary>Keys a prime (type 7) layer sees: (prime_len // blocks + 1) * blocks.</summary>
    public long PrimeKeys => PrimeLen is long p ? (p / Blocks + 1) * Blocks : 0;
}

/// <summary>
/// The reference's FactoredAttention (full-sequence path): q, k, v from <c>c_attn</c> (type 6: q only,
/// k, v from <c>c_enc_kv</c> on the encoder states), heads as contiguous feature groups, scores scaled after
/// the product by 1/sqrt(d) (from double), masked entries set to exactly -1e9, softmax in float32, <c>c_proj</c>.
/// </summary>
public sealed class FactoredAttention : nn.Module<Tensor, Tensor?, Tensor>
{
    private readonly Conv1D c_attn;
    private readonly Conv1D? c_enc_kv;
    private readonly Conv1D c_proj;
    public AttentionOptions Options { get; }

    /// <summary>When set, the full forward keeps the attention probabilities (lyric alignment): type 6 (N, H, L, enc_len);
    /// type 7 the music queries over the lyric keys, (N, H, L − prime_len, prime_len).</summary>
    public bool RecordAttention { get; set; }
    public Tensor? RecordedAttention { get; private set; }

    public FactoredAttention(AttentionOptions o, double initScale = 1.0, bool zeroOut = false) : base(nameof(FactoredAttention))
    {
        Options = o;
        if (o.NState % o.Heads != 0) throw new ModelInputException("n_state", $"n_state {o.NState} is not divisible by {o.Heads} heads");
        if (o.Kind == AttentionKind.Cross)
        {
            c_attn = new Conv1D(o.Width, o.NState, initScale, o.HalfWeights);
            c_enc_kv = new Conv1D(o.Width, 2 * o.NState, initScale, o.HalfWeights);    // encoder states arrive already projected to W
        }
        else c_attn = new Conv1D(o.Width, 3 * o.NState, initScale, o.HalfWeights);
        c_proj = new Conv1D(o.NState, o.Width, zeroOut || o.Kind == AttentionKind.Cross ? 0 : initScale, o.HalfWeights);
        RegisterComponents();
    }

    /// <summary>x (N, L, W), encoderKv (N, L_enc, W_enc) for cross attention -> (N, L, W).</summary>
    public override Tensor forward(Tensor x, Tensor? encoderKv)
    {
        using var scope = NewDisposeScope();
        Tensor q, k, v;
        if (Options.Kind == AttentionKind.Cross)
        {
            if (encoderKv is null) throw new ArgumentException("cross attention needs the lyric encoder's states");
            q = c_attn.forward(x);
            var kv = c_enc_kv!.forward(encoderKv).chunk(2, -1);
            (k, v) = (kv[0], kv[1]);
        }
        else
        {
            var qkv = c_attn.forward(x).chunk(3, -1);
            (q, k, v) = (qkv[0], qkv[1], qkv[2]);
        }
        var a = Attend(q, k, v);                                              // (N, L, n_state)
        return c_proj.forward(a).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Sampling path: x holds the next c positions (N, c, W); keys/values go through <paramref name="cache"/>.
    /// Gives what the full forward gives at those positions. Chunks are processed in pieces that stay within
    /// one block, each with the keys its rule allows (a mask where queries differ in what they may see).
    /// </summary>
    public Tensor Step(Tensor x, Tensor? encoderKv, KvCache cache)
    {
        using var scope = NewDisposeScope();
        var o = Options;
        long n = x.shape[0], c = x.shape[1], bctx = o.BlockCtx, s = o.NState;
        Tensor q, k, v;
        if (o.Kind == AttentionKind.Cross)
        {
            q = c_attn.forward(x);
            if (cache.Keys is null)
            {
                if (encoderKv is null) throw new ArgumentException("cross attention needs the lyric encoder's states");
                var kv = c_enc_kv!.forward(encoderKv).chunk(2, -1);
                cache.SetEncoder(kv[0].contiguous(), kv[1].contiguous());
            }
            cache.AdvanceCross(c);
            return c_proj.forward(Core(q, cache.Keys!, cache.Values!, causal: false)).MoveToOuterDisposeScope();
        }
        var qkv = c_attn.forward(x).chunk(3, -1);
        (q, k, v) = (qkv[0], qkv[1], qkv[2]);
        var outputs = new List<Tensor>();
        for (long i = 0; i < c; )
        {
            long a = cache.SampleT;                                            // first position of this piece
            long len = Math.Min(c - i, bctx - a % bctx);                       // stay within one block
            Tensor Piece(Tensor t) => len == c ? t : t.narrow(1, i, len);      // a sampling step is one piece: no slicing
            cache.Append(Piece(k), Piece(v));
            outputs.Add(AttendCached(Piece(q), cache, a, a + len));
            i += len;
        }
        var all = outputs.Count == 1 ? outputs[0] : cat(outputs, 1);
        return c_proj.forward(all).MoveToOuterDisposeScope();
    }

    /// <summary>Queries of positions [a, b) (one block) against the cache, which already holds them.</summary>
    private Tensor AttendCached(Tensor q, KvCache cache, long a, long b)
    {
        var o = Options;
        long bctx = o.BlockCtx, blockStart = a / bctx * bctx, c = b - a;
        var K = cache.Keys!; var V = cache.Values!;
        switch (o.Kind)
        {
            case AttentionKind.Dense:
                return CoreMasked(q, K.narrow(1, 0, b), V.narrow(1, 0, b), a);
            case AttentionKind.Block:
                return CoreMasked(q, K.narrow(1, 0, b - blockStart), V.narrow(1, 0, b - blockStart), a - blockStart);
            case AttentionKind.TransposeBlock:
                if (c == 1)
                {
                    long r = a % bctx;                                          // every bctx-th key from r: no mask needed
                    return Core(q, K.slice(1, r, b, bctx), V.slice(1, r, b, bctx), causal: false);
                }
                return CoreMasked(q, K.narrow(1, 0, b), V.narrow(1, 0, b), a, stride: bctx);
            case AttentionKind.PreviousBlock:
            {
                if (blockStart == 0) return zeros_like(q);                     // block 0 attends to zero keys and values
                long prevSlot = (blockStart - bctx) % cache.Capacity;
                return Core(q, K.narrow(1, prevSlot, bctx), V.narrow(1, prevSlot, bctx), causal: false);
            }
            case AttentionKind.Prime:
            {
                long keys = Math.Min(b, o.PrimeKeys);
                return CoreMasked(q, K.narrow(1, 0, keys), V.narrow(1, 0, keys), a);
            }
            default:
                throw new NotSupportedException($"attention type {o.Kind}");
        }
    }

    /// <summary>
    /// Query i (position first+i) sees key j when j ≤ first+i and, if <paramref name="stride"/> &gt; 0, when
    /// (first+i−j) is a multiple of it. The mask is built on the device; none when every key is visible.
    /// </summary>
    private Tensor CoreMasked(Tensor q, Tensor k, Tensor v, long first, long stride = 0)
    {
        long c = q.shape[1], lk = k.shape[1];
        if (stride == 0 && first + 1 >= lk) return Core(q, k, v, causal: false);   // every query sees every key
        using var scope = NewDisposeScope();
        var diff = (arange(first, first + c, device: q.device).unsqueeze(1) - arange(lk, device: q.device).unsqueeze(0)); // p - j
        var ok = diff.ge(0);
        if (stride > 0) ok = ok.logical_and(diff.remainder(stride).eq(0));
        return Core(q, k, v, causal: false, ok.to_type(ScalarType.Float32)).MoveToOuterDisposeScope();
    }

    /// <summary>q (N, L, n_state), k, v (N, Lk, n_state) -> (N, L, n_state) by the layer's layout.</summary>
    private Tensor Attend(Tensor q, Tensor k, Tensor v)
    {
        var o = Options;
        long n = q.shape[0], l = q.shape[1], bctx = o.BlockCtx, blocks = l / bctx, s = o.NState;
        switch (o.Kind)
        {
            case AttentionKind.Dense:
                return Core(q, k, v, causal: true);
            case AttentionKind.Block:
            {
                CheckBlocks(l);
                var r = Core(q.reshape(n * blocks, bctx, s), k.reshape(n * blocks, bctx, s), v.reshape(n * blocks, bctx, s), causal: true);
                return r.reshape(n, l, s);
            }
            case AttentionKind.TransposeBlock:
            {
                CheckBlocks(l);
                Tensor T(Tensor t) => t.reshape(n, blocks, bctx, s).transpose(1, 2).reshape(n * bctx, blocks, s);
                var r = Core(T(q), T(k), T(v), causal: true);                // (N*bctx, blocks, s)
                return r.reshape(n, bctx, blocks, s).transpose(1, 2).reshape(n, l, s);
            }
            case AttentionKind.PreviousBlock:
            {
                CheckBlocks(l);
                Tensor Prev(Tensor t)                                           // block b sees block b-1; block 0 sees zeros
                {
                    var tb = t.reshape(n, blocks, bctx, s);
                    var shifted = nn.functional.pad(tb, new long[] { 0, 0, 0, 0, 1, 0 }).narrow(1, 0, blocks);
                    return shifted.reshape(n * blocks, bctx, s);
                }
                var r = Core(q.reshape(n * blocks, bctx, s), Prev(k), Prev(v), causal: false);
                return r.reshape(n, l, s);
            }
            case AttentionKind.Cross:
                return Core(q, k, v, causal: false);
            case AttentionKind.Prime:
            {
                long p = Math.Min(o.PrimeKeys, k.shape[1]);
                return Core(q, k.narrow(1, 0, p), v.narrow(1, 0, p), causal: true);
            }
            default:
                throw new NotSupportedException($"attention type {o.Kind}");
        }
    }

    private void CheckBlocks(long l)
    {
        if (l % Options.BlockCtx != 0)
            throw new ArgumentException($"sequence length {l} is not a multiple of the block length {Options.BlockCtx}");
    }

    private void Record(Tensor probs)                                            // (B, H, Lq, Lk)
    {
        RecordedAttention?.Dispose();
        var kept = probs;
        if (Options.Kind == AttentionKind.Prime && Options.PrimeLen is long pl)
            kept = probs.narrow(2, pl, probs.shape[2] - pl).narrow(3, 0, pl);
        RecordedAttention = kept.detach().clone().DetachFromDisposeScope();
    }

    /// <summary>Multi-head scaled dot-product attention, the reference's arithmetic. (B, Lq, s), (B, Lk, s) -> (B, Lq, s).</summary>
    private Tensor Core(Tensor q, Tensor k, Tensor v, bool causal, Tensor? explicitMask = null)
    {
        long b = q.shape[0], lq = q.shape[1], lk = k.shape[1], h = Options.Heads, d = Options.HeadDim;
        if (explicitMask is null && !causal && !RecordAttention && q.dtype == ScalarType.Float32)
        {
            // Every query sees every key (a sampling step's usual case): one fused kernel instead of eight ops. Same
            // arithmetic up to summation order: scale 1/sqrt(d) on the product, softmax in float32, no mask.
            var o = nn.functional.scaled_dot_product_attention(q.view(b, lq, h, d).transpose(1, 2),
                k.view(b, lk, h, d).transpose(1, 2), v.view(b, lk, h, d).transpose(1, 2));   // (B, H, Lq, d)
            return o.transpose(1, 2).reshape(b, lq, h * d);
        }
        var qh = q.reshape(b, lq, h, d).permute(0, 2, 1, 3);                  // (B, H, Lq, d)
        var kh = k.reshape(b, lk, h, d).permute(0, 2, 3, 1);                  // (B, H, d, Lk)
        var vh = v.reshape(b, lk, h, d).permute(0, 2, 1, 3);                  // (B, H, Lk, d)
        double scale = 1.0 / Math.Sqrt(Math.Sqrt(d));
        var w = ScalarMath.MulInPlace(qh.matmul(kh), scale * scale).to_type(ScalarType.Float32);
        var mask = explicitMask ?? (causal ? ones(lq, lk, dtype: ScalarType.Float32, device: w.device).tril(Math.Max(lk - lq, 0)) : null);
        if (mask is not null) w = w * mask + ScalarMath.Mul(ScalarMath.Sub(mask, 1), 1e9);                // masked entries: exactly -1e9
        var p = w.softmax(-1).to_type(vh.dtype);
        if (RecordAttention) Record(p);
        var a = p.matmul(vh);                                                   // (B, H, Lq, d)
        return a.permute(0, 2, 1, 3).reshape(b, lq, h * d);
    }
}
