using JukeboxBridge.Errors;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace JukeboxBridge.Model.Vqvae;

/// <summary>
/// The VQ-VAE's shape, as the reference's VQVAE(...) constructor takes it (same names, snake_case in
/// JSON). Read from a model preset's "vqvae" section; validated once.
/// </summary>
public sealed record VqvaeOptions
{
    [JsonPropertyName("sample_rate")] public int SampleRate { get; init; } = 44100;
    [JsonPropertyName("levels")] public int Levels { get; init; } = 3;
    [JsonPropertyName("downs_t")] public int[] DownsT { get; init; } = { 3, 2, 2 };
    [JsonPropertyName("strides_t")] public int[] StridesT { get; init; } = { 2, 2, 2 };
    [JsonPropertyName("emb_width")] public int EmbWidth { get; init; } = 64;
    [JsonPropertyName("l_bins")] public int LBins { get; init; } = 2048;
    [JsonPropertyName("mu")] public double Mu { get; init; } = 0.99;
    [JsonPropertyName("multipliers")] public int[] Multipliers { get; init; } = { 2, 1, 1 };
    [JsonPropertyName("width")] public int Width { get; init; } = 32;
    [JsonPropertyName("depth")] public int Depth { get; init; } = 4;
    [JsonPropertyName("m_conv")] public double MConv { get; init; } = 1.0;
    [JsonPropertyName("dilation_growth_rate")] public int DilationGrowthRate { get; init; } = 3;
    [JsonPropertyName("dilation_cycle")] public int? DilationCycle { get; init; }
    [JsonPropertyName("reverse_decoder_dilation")] public bool ReverseDecoderDilation { get; init; } = true;
    [JsonPropertyName("res_scale")] public bool ResScale { get; init; }
    [JsonPropertyName("zero_out")] public bool ZeroOut { get; init; }

    /// <summary>Audio samples per code at each level (8, 32, 128 for the official model).</summary>
    public int[] HopLengths
    {
        get
        {
            var h = new int[Levels];
            int acc = 1;
            for (int l = 0; l < Levels; l++) { acc *= (int)Math.Pow(StridesT[l], DownsT[l]); h[l] = acc; }
            return h;
        }
    }

    /// <summary>Input lengths must be a multiple of this (the top level's hop).</summary>
    public int LengthMultiple => HopLengths[^1];

    public VqvaeOptions Validate(string source = "vqvae options")
    {
        void Need(bool ok, string field, string what) { if (!ok) throw new ModelInputException(field, $"{source}: '{field}' {what}"); }
        Need(Levels >= 1, "levels", $"must be at least 1 (got {Levels})");
        Need(DownsT.Length == Levels, "downs_t", $"needs {Levels} entries (got {DownsT.Length})");
        Need(StridesT.Length == Levels, "strides_t", $"needs {Levels} entries (got {StridesT.Length})");
        Need(Multipliers.Length == Levels, "multipliers", $"needs {Levels} entries (got {Multipliers.Length})");
        Need(DownsT.All(d => d >= 1), "downs_t", "entries must be >= 1");
        Need(StridesT.All(s => s >= 2 && s % 2 == 0), "strides_t", "entries must be even and >= 2");
        Need(EmbWidth >= 1, "emb_width", "must be positive");
        Need(LBins >= 2, "l_bins", "must be at least 2");
        Need(Width >= 1 && Depth >= 1, "width/depth", "must be positive");
        Need(MConv > 0, "m_conv", "must be positive");
        Need(DilationGrowthRate >= 1, "dilation_growth_rate", "must be >= 1");
        Need(DilationCycle is null or >= 1, "dilation_cycle", "must be null or >= 1");
        Need(SampleRate > 0, "sample_rate", "must be positive");
        return this;
    }

    public static VqvaeOptions FromJson(JsonElement e, string source) =>
        (e.Deserialize<VqvaeOptions>(ModelJson.Options) ?? throw new ModelInputException("vqvae", $"{source}: empty vqvae section")).Validate(source);
}

internal static class ModelJson
{
    public static readonly JsonSerializerOptions Options = new()
    {
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Skip,
    };
}
