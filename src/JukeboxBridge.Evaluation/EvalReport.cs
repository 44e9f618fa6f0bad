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
    /// <summary>Spectral convergence of held-out pieces re-sampled by both upsamplers under their own top-level codes (and by
    /// the level-0 upsampler alone under their own level-1 codes), on the VQ-VAE's pieces: below the level-2 reconstruction
    /// means the upsamplers add detail, above it that they add noise.</summary>
    public double UpsampleScTrueTop { get; init; }
    [JsonPropertyName("upsample_sc_true_l1")] public double UpsampleScTrueL1 { get; init; }
    /// <summary>Bits per code each upsampler loses when given another piece's upper codes (how much it listens to the level above).</summary>
    [JsonPropertyName("upsampler_conditioning_gain_bits_l0")] public double UpsamplerConditioningGainBitsL0 { get; init; }
    [JsonPropertyName("upsampler_conditioning_gain_bits_l1")] public double UpsamplerConditioningGainBitsL1 { get; init; }
    /// <summary>Each upsampler's bits per code on the codes it sampled (under the true top level) and on the true codes.</summary>
    [JsonPropertyName("upsampler_sampled_bits_l0")] public double UpsamplerSampledBitsL0 { get; init; }
    [JsonPropertyName("upsampler_sampled_bits_l1")] public double UpsamplerSampledBitsL1 { get; init; }
    [JsonPropertyName("upsampler_true_bits_l0")] public double UpsamplerTrueBitsL0 { get; init; }
    [JsonPropertyName("upsampler_true_bits_l1")] public double UpsamplerTrueBitsL1 { get; init; }
    /// <summary>The style classifier's accuracy on held-out real pieces (the clip where continuations go), genre and artist.</summary>
    public double ClassifierGenreAccuracy { get; init; }
    public double ClassifierArtistAccuracy { get; init; }
    /// <summary>How often the classifier names, for a continuation, the genre / artist it was conditioned on.</summary>
    public double ContinuationGenreAccuracy { get; init; }
    public double ContinuationArtistAccuracy { get; init; }
    public double GenreChance { get; init; }
    public double ArtistChance { get; init; }
    /// <summary>Fréchet distance of the classifier's embeddings (in-domain FAD) between held-out pieces and continuations,
    /// and between held-out pieces and the VQ-VAE's level-0 reconstructions of the same clips the continuations replace.</summary>
    public double FadContinuation { get; init; }
    public double FadReconstruction { get; init; }
    public int FadEmbeddingSize { get; init; }
    public int FadReferenceClips { get; init; }
    public int FadClips { get; init; }
    public double FadClipSeconds { get; init; }
    public int Prompts { get; init; }
    public double Seconds { get; init; }

    private static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower, NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals };
    public string ToJson() => JsonSerializer.Serialize(this, Json);
}
