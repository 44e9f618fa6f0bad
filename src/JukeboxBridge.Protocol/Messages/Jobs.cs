using JukeboxBridge.Protocol.Wire;

namespace JukeboxBridge.Protocol.Messages;

/// <summary>Sampling settings a client may send; every field is optional (the model's defaults apply).</summary>
public sealed record SubmitSettings
{
    public string? Model { get; init; }
    public double? Seconds { get; init; }
    public long? Variations { get; init; }
    public long? Seed { get; init; }
    public double? Temperature { get; init; }
    public long? TopK { get; init; }
    public double? TopP { get; init; }
    public string? Artist { get; init; }
    public string? Genre { get; init; }
    public string? Lyrics { get; init; }
    /// <summary>"full" (every level; the default) or "preview" (the top level only, decoded from it: fast, coarse).</summary>
    public string? Quality { get; init; }
    /// <summary>Upsample: the source job's variation (0-based, as in blocks) to upsample; absent: every variation.</summary>
    public long? Variation { get; init; }

    /// <summary>Where the take's first sample (the prompt's) belongs on the client's timeline, in seconds: the take WAVs' BWF time reference.</summary>
    public double? TimelineSeconds { get; init; }

    public static readonly string[] Qualities = ["full", "preview"];
    public const double MaxTimelineSeconds = 1e7;

    public WireMap ToMap() => new WireMap().Add("model", Model).Add("seconds", Seconds).Add("variations", Variations).Add("seed", Seed)
        .Add("temperature", Temperature).Add("top_k", TopK).Add("top_p", TopP).Add("artist", Artist).Add("genre", Genre).Add("lyrics", Lyrics)
        .Add("quality", Quality).Add("variation", Variation).Add("timeline_seconds", TimelineSeconds);

    /// <summary>The ranges every daemon accepts (docs/protocol.md); a daemon's own limits (max seconds, variations) come on top.</summary>
    public const double MaxSecondsAny = 3600, MaxTemperature = 10;
    public const long MaxVariationsAny = 64, MaxSeed = int.MaxValue, MaxTopK = 1 << 16;
    public const int MaxNameChars = 256, MaxLyricsChars = 64 << 10;

    public static SubmitSettings From(WireMap m) => new()
    {
        Model = Text(m, "model", MaxNameChars),
        Seconds = Number(m, "seconds", 0, MaxSecondsAny, openLow: true),
        Variations = Integer(m, "variations", 1, MaxVariationsAny),
        Seed = Integer(m, "seed", 0, MaxSeed),
        Temperature = Number(m, "temperature", 0, MaxTemperature, openLow: true),
        TopK = Integer(m, "top_k", 0, MaxTopK),
        TopP = Number(m, "top_p", 0, 1, openLow: false),
        Artist = Text(m, "artist", MaxNameChars), Genre = Text(m, "genre", MaxNameChars), Lyrics = Text(m, "lyrics", MaxLyricsChars),
        Quality = Text(m, "quality", 16) is string q
            ? (Qualities.Contains(q) ? q : throw new ProtocolException(ErrorCodes.BadSettings, $"settings.quality must be \"full\" or \"preview\", got \"{q}\""))
            : null,
        Variation = Integer(m, "variation", 0, MaxVariationsAny - 1),
        TimelineSeconds = Number(m, "timeline_seconds", 0, MaxTimelineSeconds, openLow: false),
    };

    private static double? Number(WireMap m, string key, double low, double high, bool openLow)
    {
        if (m.OptDouble(key) is not double v) return null;
        if (!double.IsFinite(v) || v > high || (openLow ? v <= low : v < low))
            throw new ProtocolException(ErrorCodes.BadSettings, $"settings.{key} must be a finite number in {(openLow ? "(" : "[")}{low}, {high}], got {v}");
        return v;
    }

    private static long? Integer(WireMap m, string key, long low, long high)
    {
        if (m.OptLong(key) is not long v) return null;
        if (v < low || v > high) throw new ProtocolException(ErrorCodes.BadSettings, $"settings.{key} must be an integer in [{low}, {high}], got {v}");
        return v;
    }

    private static string? Text(WireMap m, string key, int maxChars)
    {
        if (m.OptString(key) is not string v) return null;
        if (v.Length > maxChars) throw new ProtocolException(ErrorCodes.BadSettings, $"settings.{key} is {v.Length} characters; at most {maxChars}");
        return v;
    }
}

/// <summary>The shape of a PCM frame: sample rate, channels, frames (float32 LE interleaved: frames·channels·4 bytes).</summary>
public sealed record PcmFormat(long Rate, long Channels, long Frames)
{
    /// <summary>frames·channels·4, or -1 when that overflows (such a frame can never match a PCM frame's length).</summary>
    public long Bytes => Frames < 0 || Channels < 0 || Frames > long.MaxValue / 4 / Math.Max(1, Channels) ? -1 : Frames * Channels * 4;
    public WireMap ToMap() => new WireMap().Add("rate", Rate).Add("channels", Channels).Add("frames", Frames);
    public static PcmFormat From(WireMap m) => new(m.Long("rate"), m.Long("channels"), m.Long("frames"));
}

/// <summary>
/// Client → daemon: start a job. Modes: "continue" (prompt PCM in the second frame), "sample" (no prompt), "upsample"
/// and "resume" (of the daemon's job <see cref="Job"/>). <see cref="Request"/> is the client's own number, echoed
/// in <see cref="Accepted"/> or <see cref="Error"/>.
/// </summary>
public sealed record Submit(long Request, string Mode, SubmitSettings Settings, string? Job = null, PcmFormat? Prompt = null, ReadOnlyMemory<byte>? PromptPcm = null) : Message
{
    public static readonly string[] Modes = ["continue", "sample", "upsample", "resume"];
    public override string Type => "submit";
    public override ReadOnlyMemory<byte>? Pcm => PromptPcm;
    protected override void WriteFields(WireMap m) => m.Add("request", Request).Add("mode", Mode).Add("settings", Settings.ToMap())
        .Add("job", Job).Add("prompt", Prompt?.ToMap());
    internal static Submit From(WireMap m, ReadOnlyMemory<byte>? pcm)
    {
        long request = m.Long("request");
        try { return From(m, pcm, request); }
        catch (ProtocolException e) when (e.Request is null) { throw new ProtocolException(e.Code, e.Message, request); }
    }

    private static Submit From(WireMap m, ReadOnlyMemory<byte>? pcm, long request)
    {
        string mode = m.String("mode");
        if (!Modes.Contains(mode)) throw new ProtocolException(ErrorCodes.BadMessage, $"unknown mode '{mode}' (continue, sample, upsample, resume)");
        var prompt = m.OptMap("prompt") is { } p ? PcmFormat.From(p) : null;
        // PCM only where the mode takes it: a sample/upsample/resume never carries a prompt.
        if (mode != "continue" && (prompt is not null || pcm is not null))
            throw new ProtocolException(ErrorCodes.BadMessage, $"a {mode} submit carries no prompt");
        if (mode == "continue" && prompt is null) throw new ProtocolException(ErrorCodes.BadMessage, "a continue submit needs field 'prompt' and its PCM frame");
        string? job = m.OptString("job");
        if (job is not null) JobId.Check(job, "job");
        if (mode is "upsample" or "resume" && job is null) throw new ProtocolException(ErrorCodes.BadMessage, $"a {mode} submit needs field 'job'");
        var settings = SubmitSettings.From(m.OptMap("settings") ?? new WireMap());
        if (settings.Variation is not null && mode != "upsample") throw new ProtocolException(ErrorCodes.BadSettings, "settings.variation chooses what an upsample upsamples; a " + mode + " submit has none");
        if (settings.Quality == "preview" && mode is "upsample" or "resume")
            throw new ProtocolException(ErrorCodes.BadSettings, $"settings.quality \"preview\" is for continue and sample; an {mode} keeps its job's quality");
        return new(request, mode, settings, job, prompt, pcm);
    }
}

/// <summary>Daemon → client: the job exists (its folder is written); blocks of new audio will start at the end of the prompt.</summary>
public sealed record Accepted(long Request, string Job, long PromptSamples, long Rate, long Variations) : Message
{
    public override string Type => "accepted";
    protected override void WriteFields(WireMap m) => m.Add("request", Request).Add("job", Job).Add("prompt_samples", PromptSamples).Add("rate", Rate).Add("variations", Variations);
    internal static Accepted From(WireMap m) => new(m.Long("request"), m.String("job"), m.Long("prompt_samples"), m.Long("rate"), m.Long("variations"));
}

/// <summary>Client → daemon: stop a job (within one sampling step); it stays resumable.</summary>
public sealed record Cancel(string Job) : Message
{
    public override string Type => "cancel";
    protected override void WriteFields(WireMap m) => m.Add("job", Job);
    internal static Cancel From(WireMap m) => new(JobId.Check(m.String("job"), "job"));
}

/// <summary>
/// Client → daemon: which of my jobs exist (queued, running, done, cancelled, failed), oldest first, one page:
/// <see cref="Limit"/> jobs (1..500, default 100) from <see cref="Offset"/>.
/// </summary>
public sealed record ListJobs(long? Offset = null, long? Limit = null) : Message
{
    public const long DefaultLimit = 100, MaxLimit = 500;
    public override string Type => "list_jobs";
    protected override void WriteFields(WireMap m) => m.Add("offset", Offset).Add("limit", Limit);
    internal static ListJobs From(WireMap m)
    {
        long? offset = m.OptLong("offset"), limit = m.OptLong("limit");
        if (offset is < 0) throw new ProtocolException(ErrorCodes.BadMessage, "field 'offset' must be >= 0");
        if (limit is < 1 or > MaxLimit) throw new ProtocolException(ErrorCodes.BadMessage, $"field 'limit' must be 1 to {MaxLimit}");
        return new(offset, limit);
    }
}

/// <summary>One job in <see cref="JobList"/>.</summary>
public sealed record JobInfo(string Job, string State, string Mode, double Seconds, long Variations, long BlocksWritten, string Created)
{
    public WireMap ToMap() => new WireMap().Add("job", Job).Add("state", State).Add("mode", Mode).Add("seconds", Seconds)
        .Add("variations", Variations).Add("blocks", BlocksWritten).Add("created", Created);
    public static JobInfo From(WireMap m) => new(m.String("job"), m.String("state"), m.String("mode"), m.Double("seconds"), m.Long("variations"), m.Long("blocks"), m.String("created"));
}

/// <summary>Daemon → client: one page of the answer to <see cref="ListJobs"/>: the jobs from <see cref="Offset"/>, of <see cref="Total"/>.</summary>
public sealed record JobList(IReadOnlyList<JobInfo> Jobs, long Offset = 0, long? Total = null) : Message
{
    public override string Type => "jobs";
    protected override void WriteFields(WireMap m) => m.Add("jobs", Jobs.Select(j => j.ToMap()).ToList()).Add("offset", Offset).Add("total", Total ?? Jobs.Count);
    internal static JobList From(WireMap m) =>
        new(m.List("jobs").Select(x => JobInfo.From(x as WireMap ?? throw new ProtocolException(ErrorCodes.BadMessage, "jobs must be maps"))).ToList(),
            m.OptLong("offset") ?? 0, m.OptLong("total"));
}

/// <summary>Client → daemon: send the job's blocks again from <see cref="FromSeq"/> (after a reconnect), within the credit.</summary>
public sealed record Fetch(string Job, long FromSeq) : Message
{
    public override string Type => "fetch";
    protected override void WriteFields(WireMap m) => m.Add("job", Job).Add("from_seq", FromSeq);
    internal static Fetch From(WireMap m)
    {
        long from = m.Long("from_seq");
        if (from is < 0 or > int.MaxValue) throw new ProtocolException(ErrorCodes.BadMessage, $"field 'from_seq' must be 0 to {int.MaxValue}");
        return new(JobId.Check(m.String("job"), "job"), from);
    }
}

/// <summary>Job ids as the daemon makes them (yyyyMMdd-HHmmss-hex): at most 64 characters of [A-Za-z0-9-_].</summary>
public static class JobId
{
    public static string Check(string id, string field)
    {
        if (id.Length is 0 or > 64 || !id.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
            throw new ProtocolException(ErrorCodes.BadMessage, $"field '{field}' is not a job id (1 to 64 of A-Z a-z 0-9 - _)");
        return id;
    }
}
