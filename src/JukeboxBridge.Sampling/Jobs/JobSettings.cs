using JukeboxBridge.Errors;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace JukeboxBridge.Sampling.Jobs;

/// <summary>What a job does with its starting codes.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<JobMode>))]
public enum JobMode
{
    /// <summary>Prompt audio (or saved codes) continued by <see cref="JobSettings.Seconds"/> at every level.</summary>
    Continue,
    /// <summary>Ancestral: no prompt, <see cref="JobSettings.Seconds"/> of new music.</summary>
    Sample,
    /// <summary>Levels at and below <see cref="JobSettings.FromLevel"/> re-sampled under the saved codes above them (upsampling top-level codes; re-sampling level 0).</summary>
    Upsample,
}

/// <summary>How far down a job samples.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<JobQuality>))]
public enum JobQuality
{
    /// <summary>Every level down to the bottom one; the audio is decoded from level 0.</summary>
    Full,
    /// <summary>
    /// The top level only, decoded by the VQ-VAE's top-level decoder: a fraction of the time (level 0 alone has 16 × the
    /// top level's tokens), coarse audio. Audition the variations, then upsample the one you keep.
    /// </summary>
    Preview,
}

/// <summary>
/// Everything that decides a job's result, as written to its folder's settings.json. Per-level arrays are indexed by
/// level (0 = bottom) and are resolved from the bundle's defaults when the job is created, so a folder is
/// self-describing and <c>jukebox resume</c> needs nothing else.
/// </summary>
public sealed record JobSettings
{
    public int Version { get; init; } = 1;
    public JobMode Mode { get; init; } = JobMode.Continue;
    /// <summary>The --model spec the job was made with (bundle preset name or folder).</summary>
    public string Model { get; init; } = "";
    /// <summary>Where the prompt came from (file name only; informational).</summary>
    public string? Prompt { get; init; }
    /// <summary>Seconds of new audio (continue, sample).</summary>
    public double Seconds { get; init; } = 10;
    public int Variations { get; init; } = 1;
    public int Seed { get; init; }
    public double[] Temperature { get; init; } = [];
    public int TopK { get; init; }
    public double TopP { get; init; }
    public double[] HopFraction { get; init; } = [];
    public int[] ChunkSize { get; init; } = [];
    public int[] MaxBatchSize { get; init; } = [];
    [JsonConverter(typeof(JsonStringEnumConverter<ScheduleKind>))]
    public ScheduleKind Schedule { get; init; } = ScheduleKind.Interleaved;
    public double BlockSeconds { get; init; } = 1.0;
    public string? Artist { get; init; }
    public string? Genre { get; init; }
    public string? Lyrics { get; init; }
    /// <summary>Song length the timing conditioner is told (default: the take's length).</summary>
    public double? SongSeconds { get; init; }
    /// <summary>Where the take starts in that song, for the timing conditioner.</summary>
    public double OffsetSeconds { get; init; }
    /// <summary>Upsample: highest level re-sampled (the levels above are kept as given).</summary>
    public int? FromLevel { get; init; }
    /// <summary>Upsample: seconds at the start kept at every level (e.g. a continuation's prompt).</summary>
    public double KeepSeconds { get; init; }
    /// <summary>Where the take's first sample belongs on the producer's timeline, in seconds (the plugin's loop start); the take WAVs' BWF time reference.</summary>
    public double TimelineSeconds { get; init; }
    /// <summary>Full, or a preview of the top level only (see <see cref="JobQuality"/>).</summary>
    public JobQuality Quality { get; init; } = JobQuality.Full;
    /// <summary>Upsample: the row (variation, 0-based) of the source codes to upsample; null: every row.</summary>
    public int? Variation { get; init; }
    /// <summary>Upsample: the job whose codes it upsamples (its folder, or the daemon's job id); informational.</summary>
    public string? Parent { get; init; }
    /// <summary>Reproduce the reference's partial-window overshoot (see LevelSettings.ReferencePartialWindow).</summary>
    public bool ReferencePartialWindow { get; init; }

    /// <summary>
    /// Settings that upsample a finished job (a preview's keeper, or a full take re-done): its style, lyrics, place in
    /// the song, temperatures and seed carried over; full quality; its prompt kept at every level; one chosen
    /// variation (<paramref name="variation"/>, 0-based, one take by default) or every row.
    /// </summary>
    public static JobSettings UpsampleOf(JobSettings parent, double promptSeconds, string parentName, int? variation) => parent with
    {
        Mode = JobMode.Upsample, Quality = JobQuality.Full, Variation = variation, Parent = parentName,
        Variations = variation is null ? parent.Variations : 1, FromLevel = null, KeepSeconds = promptSeconds, Prompt = null,
    };

    /// <summary>The level whose codes the job's audio is decoded from: 0, or the top level for a preview.</summary>
    public int OutputLevel(int levels) => Quality == JobQuality.Preview ? levels - 1 : 0;

    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower, WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    public static JobSettings FromJson(string json) =>
        JsonSerializer.Deserialize<JobSettings>(json, Json) ?? throw new UserInputException("settings.json", "settings.json is empty");

    /// <summary>Fills the per-level arrays from the bundle's defaults and checks every value.</summary>
    public JobSettings Resolved(BundleSampling d, int levels)
    {
        double[] Fill(double[] v, double[] def) => v.Length == 0 ? def.ToArray() : v.Length == 1 ? Enumerable.Repeat(v[0], levels).ToArray() : v;
        int[] FillI(int[] v, int[] def) => v.Length == 0 ? def.ToArray() : v.Length == 1 ? Enumerable.Repeat(v[0], levels).ToArray() : v;
        var r = this with
        {
            Temperature = Fill(Temperature, d.Temperature), HopFraction = Fill(HopFraction, d.HopFraction),
            ChunkSize = FillI(ChunkSize, d.ChunkSize), MaxBatchSize = FillI(MaxBatchSize, d.MaxBatchSize),
        };
        r.Validate(levels);
        return r;
    }

    private void Validate(int levels)
    {
        void Check(bool ok, string field, string message) { if (!ok) throw new UserInputException(field, message); }
        Check(Version == 1, "version", $"settings version {Version} is not supported (this build reads version 1)");
        Check(Variations is >= 1 and <= 64, "variations", $"variations must be 1 to 64, got {Variations}");
        Check(Mode == JobMode.Upsample || (Seconds > 0 && double.IsFinite(Seconds)), "seconds", $"the length must be a positive number of seconds, got {Seconds}");
        foreach (var (name, len) in new[] { ("temperature", Temperature.Length), ("hop_fraction", HopFraction.Length), ("chunk_size", ChunkSize.Length), ("max_batch_size", MaxBatchSize.Length) })
            Check(len == levels, name, $"{name} needs one value per level ({levels}), got {len}");
        Check(Temperature.All(t => t > 0 && t <= 10), "temperature", "temperature must be in (0, 10]");
        Check(HopFraction.All(h => h > 0 && h <= 1), "hop_fraction", "hop fraction must be in (0, 1]");
        Check(MaxBatchSize.All(b => b >= 1), "max_batch_size", "batch sizes must be positive");
        Check(ChunkSize.All(c => c >= 1), "chunk_size", "chunk sizes must be positive");
        Check(TopK >= 0, "top_k", "top-k must be >= 0");
        Check(TopP is >= 0 and <= 1, "top_p", "top-p must be in [0, 1]");
        Check(TopK == 0 || TopP == 0, "top_p", "set top-k or top-p, not both (as the reference)");
        Check(BlockSeconds is > 0 and <= 60, "block_seconds", "block seconds must be in (0, 60]");
        Check(OffsetSeconds >= 0, "offset_seconds", "the offset must be >= 0");
        Check(TimelineSeconds >= 0 && double.IsFinite(TimelineSeconds), "timeline_seconds", "the timeline position must be a finite number of seconds >= 0");
        Check(SongSeconds is null || SongSeconds > 0, "song_seconds", "song length must be positive");
        Check(FromLevel is null || (FromLevel >= 0 && FromLevel < levels), "from_level", $"from-level must be 0 to {levels - 1}");
        Check(KeepSeconds >= 0, "keep_seconds", "keep seconds must be >= 0");
        Check(Quality == JobQuality.Full || Mode != JobMode.Upsample, "quality", "an upsample samples the levels below the top one: it is always full quality");
        Check(Variation is null || Mode == JobMode.Upsample, "variation", "a variation to upsample is chosen only by an upsample");
        Check(Variation is null || Variation >= 0, "variation", $"the variation must be >= 0, got {Variation}");
    }
}
