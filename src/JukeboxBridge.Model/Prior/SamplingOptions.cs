namespace JukeboxBridge.Model.Prior;

/// <summary>How a prior draws tokens: temperature, then top-k or top-p filtering; primes are fed in chunks.</summary>
public sealed record SamplingOptions(double Temperature = 1.0, int TopK = 0, double TopP = 0, int? ChunkSize = null, int? SampleTokens = null);
