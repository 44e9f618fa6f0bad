using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;

namespace JukeboxBridge.ScaleOut;

/// <summary>A job handed to the workers: which folder (client/job under the shared jobs folder) to run.</summary>
public sealed record JobTicket(string Client, string Job);

/// <summary>What a worker says about a job: started, progress, block (written to the folder), finished.</summary>
public sealed record WorkerEvent(string Kind, string Client, string Job, string Worker)
{
    public int Level { get; init; }
    public int WindowsDone { get; init; }
    public int WindowsTotal { get; init; }
    public long TokensDone { get; init; }
    public long TokensTotal { get; init; }
    public long JobTokensDone { get; init; }
    public long JobTokensTotal { get; init; }
    public double ElapsedSeconds { get; init; }
    public double? EtaSeconds { get; init; }
    public int Seq { get; init; }
    /// <summary>finished: done, failed or cancelled, with the error code and message of the last two.</summary>
    public string? State { get; init; }
    public string? Code { get; init; }
    public string? Message { get; init; }
}

/// <summary>A worker's heartbeat: who it is, the model it serves, the job it runs.</summary>
public sealed record WorkerAnnounce(string Worker, string Model, string Fingerprint, string? Job);

/// <summary>
/// JSON of the scale-out messages, checked once where they arrive: a message from the bus that is too big, not JSON,
/// or names a folder outside the jobs folder is dropped with a log line, never acted on.
/// </summary>
public static class Wire
{
    public const int MaxBytes = 16 << 10;
    private static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull };
    private static readonly Regex Name = new("^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$");

    public static byte[] Encode<T>(T m) => JsonSerializer.SerializeToUtf8Bytes(m, Json);

    /// <summary>The message, or null (with <paramref name="why"/>) when it is not a valid one.</summary>
    public static T? Decode<T>(ReadOnlySpan<byte> data, out string? why) where T : class
    {
        why = null;
        if (data.Length > MaxBytes) { why = $"{data.Length} bytes (at most {MaxBytes})"; return null; }
        T? m;
        try { m = JsonSerializer.Deserialize<T>(data, Json); }
        catch (JsonException e) { why = $"not a {typeof(T).Name}: {e.Message}"; return null; }
        why = m switch
        {
            null => "empty",
            JobTicket t when !IsName(t.Client) || !IsName(t.Job) || t.Job.Contains("..") || t.Client.Contains("..") => "client and job must be folder names",
            WorkerEvent e when !IsName(e.Client) || !IsName(e.Job) || e.Kind is not ("started" or "progress" or "block" or "finished") => "bad client, job or kind",
            WorkerEvent { Seq: < 0 } => "seq must be >= 0",
            WorkerAnnounce a when string.IsNullOrEmpty(a.Worker) || string.IsNullOrEmpty(a.Fingerprint) => "worker and fingerprint are required",
            _ => null,
        };
        return why is null ? m : null;
    }

    public static bool IsName(string? s) => s is not null && Name.IsMatch(s);
}
