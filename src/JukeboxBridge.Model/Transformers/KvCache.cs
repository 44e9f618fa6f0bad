using static TorchSharp.torch;

namespace JukeboxBridge.Model.Transformers;

/// <summary>
/// Keys and values one attention layer keeps while sampling, preallocated once per run (no per-token
/// reallocation). Storage per kind holds only what the layer can still need, as the reference trims it:
/// dense and transposed-block layers the whole history, block layers the current block (ring of bctx),
/// previous-block layers the current and previous block (ring of 2·bctx), prime layers the first P
/// positions, cross layers the encoder's keys. Position p lives at slot p mod capacity.
/// </summary>
public sealed class KvCache : IDisposable
{
    public AttentionOptions Options { get; }
    /// <summary>Positions consumed so far (the reference's sample_t).</summary>
    public long SampleT { get; private set; }
    public Tensor? Keys { get; private set; }
    public Tensor? Values { get; private set; }

    public KvCache(AttentionOptions options) => Options = options;

    public long Capacity => Options.Kind switch
    {
        AttentionKind.Block => Options.BlockCtx,
        AttentionKind.PreviousBlock => 2 * Options.BlockCtx,
        AttentionKind.Prime => Options.PrimeKeys,
        _ => Options.NCtx,
    };

    /// <summary>How long the reference's trimmed cache is now (what it would keep for the next call).</summary>
    public long TrimmedLength => Options.Kind switch
    {
        AttentionKind.Dense or AttentionKind.TransposeBlock => SampleT,
        AttentionKind.Block => SampleT == 0 ? 0 : (SampleT - 1) % Options.BlockCtx + 1,
        AttentionKind.PreviousBlock => SampleT <= Options.BlockCtx ? SampleT : (SampleT - 1) % Options.BlockCtx + 1 + Options.BlockCtx,
        AttentionKind.Prime => Math.Min(SampleT, Options.PrimeKeys),
        AttentionKind.Cross => Keys?.shape[1] ?? 0,
        _ => SampleT,
    };

    /// <summary>Stores keys/values of positions [SampleT, SampleT + c) (those the layer keeps) and advances.</summary>
    internal void Append(Tensor k, Tensor v)
    {
        long c = k.shape[1];
        if (SampleT + c > Options.NCtx) throw new InvalidOperationException($"KV cache full: {SampleT} + {c} > n_ctx {Options.NCtx}");
        if (Keys is null)
        {
            Keys = zeros(new[] { k.shape[0], Capacity, k.shape[2] }, dtype: k.dtype, device: k.device).DetachFromDisposeScope();
            Values = zeros(new[] { k.shape[0], Capacity, k.shape[2] }, dtype: k.dtype, device: k.device).DetachFromDisposeScope();
        }
        long cap = Capacity;
        for (long i = 0; i < c; )
        {
            long p = SampleT + i;
            if (Options.Kind == AttentionKind.Prime && p >= cap) break;              // prime layers keep the first P only
            long slot = p % cap, run = Math.Min(c - i, cap - slot);
            if (Options.Kind == AttentionKind.Prime) run = Math.Min(run, cap - p);
            bool whole = run == c;                                                    // a sampling step: no slicing of k, v
            Keys.narrow(1, slot, run).copy_(whole ? k : k.narrow(1, i, run));
            Values!.narrow(1, slot, run).copy_(whole ? v : v.narrow(1, i, run));
            i += run;
        }
        SampleT += c;
    }

    /// <summary>Encoder keys/values for cross attention, computed once per run.</summary>
    internal void SetEncoder(Tensor k, Tensor v)
    {
        Keys?.Dispose(); Values?.Dispose();
        Keys = k.DetachFromDisposeScope();
        Values = v.DetachFromDisposeScope();
    }

    internal void AdvanceCross(long c) => SampleT += c;

    /// <summary>Forget everything (the reference clears all caches at the end of every sample call).</summary>
    public void Reset()
    {
        Keys?.Dispose(); Values?.Dispose();
        Keys = Values = null;
        SampleT = 0;
    }

    public void Dispose() => Reset();
}
