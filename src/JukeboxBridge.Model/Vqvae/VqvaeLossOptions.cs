using System.Text.Json.Serialization;

namespace JukeboxBridge.Model.Vqvae;

/// <summary>Dataset statistics the reconstruction losses divide by (the reference's hps.bandwidth).</summary>
public sealed record Bandwidth
{
    [JsonPropertyName("l1")] public double L1 { get; init; } = 1;
    [JsonPropertyName("l2")] public double L2 { get; init; } = 1;
    [JsonPropertyName("spec")] public double Spec { get; init; } = 1;
}

/// <summary>The VQ-VAE training loss settings (reference hps names).</summary>
public sealed record VqvaeLossOptions
{
    [JsonPropertyName("loss_fn")] public string LossFn { get; init; } = "lmix";
    [JsonPropertyName("lmix_l1")] public double LmixL1 { get; init; }
    [JsonPropertyName("lmix_l2")] public double LmixL2 { get; init; } = 1.0;
    [JsonPropertyName("lmix_linf")] public double LmixLinf { get; init; } = 0.02;
    [JsonPropertyName("linf_k")] public int LinfK { get; init; } = 2048;
    [JsonPropertyName("commit")] public double Commit { get; init; } = 0.02;
    [JsonPropertyName("spectral")] public double Spectral { get; init; }
    [JsonPropertyName("multispectral")] public double Multispectral { get; init; } = 1.0;
    [JsonPropertyName("use_nonrelative_specloss")] public bool UseNonrelativeSpecloss { get; init; } = true;
    [JsonPropertyName("multispec_loss_n_fft")] public int[] MultispecNFft { get; init; } = { 2048, 1024, 512 };
    [JsonPropertyName("multispec_loss_hop_length")] public int[] MultispecHop { get; init; } = { 240, 120, 50 };
    [JsonPropertyName("multispec_loss_window_size")] public int[] MultispecWindow { get; init; } = { 1200, 600, 240 };
    [JsonPropertyName("bandwidth")] public Bandwidth Bandwidth { get; init; } = new();

    /// <summary>The single-resolution spectral loss always uses these (the reference ignores its n_fft/hop/window hparams).</summary>
    public static readonly StftSettings SpectralSettings = new(2048, 256, 1536);

    public IEnumerable<StftSettings> MultispecSettings =>
        MultispecNFft.Select((n, i) => new StftSettings(n, MultispecHop[i], MultispecWindow[i]));
}

public sealed record StftSettings(int NFft, int Hop, int Window);
