using System.Text.Json;
using System.Text.Json.Serialization;

namespace JukeboxBridge.Evaluation;

/// <summary>
/// The measured quality of a model bundle on held-out pieces. Spectral convergence and multi-resolution STFT distance
/// of the VQ-VAE per level; the priors' negative log-likelihood in bits per code per level and the top level's gain over
/// the uniform baseline (log2 of the codebook size); key and tempo agreement between prompts and their continuations,
/// against chance; and how often style conditioning moves tempo / brightness the labelled way.
/// </summary>
public sealed record EvalReport
{
    public required string Model { get; init; }
    public double VqvaeSpectralConvergenceL0 { get; init; }
    public double VqvaeSpectralConvergenceL1 { get; init; }
    public double VqvaeSpectralConvergenceL2 { get; init; }
    [JsonPropertyName("vqvae_mrstft_l0")] public double VqvaeMrstftL0 { get; init; }
    [JsonPropertyName("vqvae_mrstft_l1")] public double VqvaeMrstftL1 { get; init; }
    [JsonPropertyName("vqvae_mrstft_l2")] public double VqvaeMrstftL2 { get; init; }
    /// <summary>Fraction of held-out pieces whose reconstruction from level l alone gets the original's estimated key.</summary>
    [JsonPropertyName("vqvae_key_preserved_l0")] public double VqvaeKeyPreservedL0 { get; init; }
    [JsonPropertyName("vqvae_key_preserved_l1")] public double VqvaeKeyPreservedL1 { get; init; }
    [JsonPropertyName("vqvae_key_preserved_l2")] public double VqvaeKeyPreservedL2 { get; init; }
    [JsonPropertyName("prior_bits_per_token_l0")] public double PriorBitsPerTokenL0 { get; init; }
    [JsonPropertyName("prior_bits_per_token_l1")] public double PriorBitsPerTokenL1 { get; init; }
    [JsonPropertyName("prior_bits_per_token_l2")] public double PriorBitsPerTokenL2 { get; init; }
    /// <summary>log2 of the codebook size: the bits per code of a uniform guess.</summary>
    public double UniformBits { get; init; }
    public double PriorBitsGainTop { get; init; }
    public double KeyAgreement { get; init; }
    public double KeyChance { get; init; }
    public double TempoAgreement { get; init; }
    public double TempoChance { get; init; }
    /// <summary>How often the key estimator names the prompts' true key (it bounds what key agreement can show).</summary>
    public double PromptKeyAccuracy { get; init; }
    /// <summary>Key agreement of the continuations decoded from their top-level codes alone (diagnostic).</summary>
    public double KeyAgreementTopLevel { get; init; }
    /// <summary>Fraction of prompts whose continuation is faster (onsets per second) under the fast genre than under the slow one.</summary>
    public double StyleTempoDirection { get; init; }
    /// <summary>Fraction of prompts whose continuation is brighter (spectral centroid) under the bright artist than under the dark one.</summary>
    public double StyleTimbreDirection { get; init; }
    public int Prompts { get; init; }
    public double Seconds { get; init; }

    private static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower, NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals };
    public string ToJson() => JsonSerializer.Serialize(this, Json);
}
