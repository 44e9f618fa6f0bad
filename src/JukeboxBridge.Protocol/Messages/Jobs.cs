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

    public WireMap ToMap() => new WireMap().Add("model", Model).Add("seconds", Seconds).Add("variations", Variations).Add("seed", Seed)
        .Add("temperature", Temperature).Add("top_k", TopK).Add("top_p", TopP).Add("artist", Artist).Add("genre", Genre).Add("lyrics", Lyrics);

    public static SubmitSettings From(WireMap m) => new()
    {
        Model = m.OptString("model"), Seconds = m.OptDouble("seconds"), Variations = m.OptLong("variations"), Seed = m.OptLong("seed"),
        Temperature = m.OptDouble("temperature"), TopK = m.OptLong("top_k"), TopP = m.OptDouble("top_p"),
        Artist = m.OptString("artist"), Genre = m.OptString("genre"), Lyrics = m.OptString("lyrics"),
    };
}

/// <summary>The shape of a PCM frame: sample rate, channels, frames (float32 LE interleaved: frames·channels·4 bytes).</summary>
public sealed record PcmFormat(long Rate, long Channels, long Frames)
{
    public long Bytes => Frames * Channels * 4;
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
        string mode = m.String("mode");
        if (!Modes.Contains(mode)) throw new ProtocolException(ErrorCodes.BadMessage, $"unknown mode '{mode}' (continue, sample, upsample, resume)");
        var prompt = m.OptMap("prompt") is { } p ? PcmFormat.From(p) : null;
        return new(m.Long("request"), mode, SubmitSettings.From(m.OptMap("settings") ?? new WireMap()), m.OptString("job"), prompt, pcm);
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
    internal static Cancel From(WireMap m) => new(m.String("job"));
}

/// <summary>Client → daemon: which of my jobs exist (queued, running, done, cancelled, failed).</summary>
public sealed record ListJobs : Message
{
    public override string Type => "list_jobs";
    protected override void WriteFields(WireMap m) { }
}

/// <summary>One job in <see cref="JobList"/>.</summary>
public sealed record JobInfo(string Job, string State, string Mode, double Seconds, long Variations, long BlocksWritten, string Created)
{
    public WireMap ToMap() => new WireMap().Add("job", Job).Add("state", State).Add("mode", Mode).Add("seconds", Seconds)
        .Add("variations", Variations).Add("blocks", BlocksWritten).Add("created", Created);
    public static JobInfo From(WireMap m) => new(m.String("job"), m.String("state"), m.String("mode"), m.Double("seconds"), m.Long("variations"), m.Long("blocks"), m.String("created"));
}

/// <summary>Daemon → client: the answer to <see cref="ListJobs"/>.</summary>
public sealed record JobList(IReadOnlyList<JobInfo> Jobs) : Message
{
    public override string Type => "jobs";
    protected override void WriteFields(WireMap m) => m.Add("jobs", Jobs.Select(j => j.ToMap()).ToList());
    internal static JobList From(WireMap m) =>
        new(m.List("jobs").Select(x => JobInfo.From(x as WireMap ?? throw new ProtocolException(ErrorCodes.BadMessage, "jobs must be maps"))).ToList());
}

/// <summary>Client → daemon: send the job's blocks again from <see cref="FromSeq"/> (after a reconnect), within the credit.</summary>
public sealed record Fetch(string Job, long FromSeq) : Message
{
    public override string Type => "fetch";
    protected override void WriteFields(WireMap m) => m.Add("job", Job).Add("from_seq", FromSeq);
    internal static Fetch From(WireMap m) => new(m.String("job"), m.Long("from_seq"));
}
