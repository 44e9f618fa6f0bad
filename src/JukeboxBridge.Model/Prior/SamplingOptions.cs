namespace JukeboxBridge.Model.Prior;

/// <summary>How a prior draws tokens: temperature, then top-k or top-p filtering; primes are fed in chunks.</summary>
public sealed record SamplingOptions(double Temperature = 1.0, int TopK = 0, double TopP = 0, int? ChunkSize = null, int? SampleTokens = null)
{
    /// <summary>Checked before every sampled token (and prime chunk): cancellation takes effect within one step.</summary>
    public CancellationToken Cancel { get; init; }

    /// <summary>Called on the host after each sampled token is queued (argument: tokens sampled so far in this call); never synchronises with the device.</summary>
    public Action<long>? OnToken { get; init; }
}
