namespace JukeboxBridge.Evaluation;

/// <summary>What `jukebox eval` measures on: the held-out pieces of a labelled dataset, and how much of them.</summary>
public sealed record EvalOptions
{
    public required string DataDir { get; init; }
    /// <summary>Held-out pieces for the VQ-VAE reconstruction, and seconds of each.</summary>
    public int VqvaePieces { get; init; } = 6;
    public double VqvaeSeconds { get; init; } = 6;
    /// <summary>Seconds of each held-out piece the upsamplers re-sample under its own upper-level codes.</summary>
    public double UpsamplerSeconds { get; init; } = 6;
    /// <summary>Held-out windows per prior level for the negative log-likelihood.</summary>
    public int PriorWindows { get; init; } = 24;
    /// <summary>Held-out prompts continued (one batch), prompt and continuation seconds.</summary>
    public int Prompts { get; init; } = 30;
    public double PromptSeconds { get; init; } = 6;
    public double Seconds { get; init; } = 6;
    /// <summary>Prompts continued under two contrasting styles (genre, then artist) for the conditioning check.</summary>
    public int StylePrompts { get; init; } = 8;
    public int Seed { get; init; }
    /// <summary>The style classifier (genre and artist from a log-mel spectrogram); null: no classifier figures.</summary>
    public Style.StyleClassifier? Classifier { get; init; }
    /// <summary>Seconds of each clip the in-domain FAD embeds.</summary>
    public double FadClipSeconds { get; init; } = 3;
    /// <summary>Skip the VQ-VAE and prior measurements (their fields stay 0): only the continuation checks.</summary>
    public bool MusicalOnly { get; init; }
    /// <summary>Sampling settings for the continuations instead of the bundle's.</summary>
    public MusicalChecks.SamplingOverrides? Sampling { get; init; }
}
