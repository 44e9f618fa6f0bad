namespace JukeboxBridge.Model.Prior;

/// <summary><see cref="LabelConditioner"/>'s shape: genre and artist tables and, for a top level, the timing embeddings.</summary>
public sealed record LabelConditionerOptions(int Genres, int Artists, long Width)
{
    public double InitScale { get; init; } = 1.0;
    /// <summary>Total length, absolute and relative position embeddings (top level with labels).</summary>
    public bool IncludeTimeSignal { get; init; }
    /// <summary>Positions of the timing embeddings (the level's n_ctx).</summary>
    public long NTime { get; init; }
    public int TBins { get; init; }
    public int SampleRate { get; init; } = 44100;
    public double MinDuration { get; init; }
    public double MaxDuration { get; init; }
}
