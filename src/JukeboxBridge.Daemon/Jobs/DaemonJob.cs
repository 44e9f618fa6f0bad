using System.Text.Json;
using JukeboxBridge.Protocol.Messages;
using JukeboxBridge.Sampling.Jobs;

namespace JukeboxBridge.Daemon.Jobs;

/// <summary>What a client asked for, as written to the job folder's request.json when the job is accepted.</summary>
public sealed record JobRequest(string Job, string Client, string Mode, string? SourceJob, DateTimeOffset Created,
                                string? Model, double? Seconds, long? Variations, long? Seed, double? Temperature, long? TopK, double? TopP,
                                string? Artist, string? Genre, string? Lyrics, long PromptSamples)
{
    /// <summary>The served model's fingerprint when the job was accepted (null in folders of older daemons): resume checks it.</summary>
    public string? ModelFingerprint { get; init; }

    public static JobRequest From(string job, string client, Submit s, long promptSamples, string modelFingerprint) => new(job, client, s.Mode, s.Job, DateTimeOffset.UtcNow,
        s.Settings.Model, s.Settings.Seconds, s.Settings.Variations, s.Settings.Seed, s.Settings.Temperature, s.Settings.TopK, s.Settings.TopP,
        s.Settings.Artist, s.Settings.Genre, s.Settings.Lyrics, promptSamples) { ModelFingerprint = modelFingerprint };

    private static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower, WriteIndented = true };
    public string ToJson() => JsonSerializer.Serialize(this, Json);
    public static JobRequest FromJson(string text) => JsonSerializer.Deserialize<JobRequest>(text, Json) ?? throw new FormatException("empty request.json");
}

/// <summary>
/// One job the daemon knows: its request, folder and state. The worker thread changes <see cref="State"/>; the server
/// thread reads it (and the block files) to stream.
/// </summary>
public sealed class DaemonJob(JobRequest request, string dir)
{
    public JobRequest Request { get; } = request;
    public string Id => Request.Job;
    public string Client => Request.Client;
    public string Dir { get; } = dir;
    public TakeStore? Store { get; set; }
    public volatile string State = "queued";
    public string? Error { get; set; }
    public int Variations { get; set; } = (int)(request.Variations ?? 1);
    public double Seconds { get; set; } = request.Seconds ?? 0;
    /// <summary>Blocks (sequence numbers) written to the folder so far.</summary>
    public volatile int BlocksWritten;
    private volatile CancellationTokenSource _cancel = new();
    /// <summary>The current run's cancellation (a resumed job gets a fresh one: a cancelled source cannot be reset).</summary>
    public CancellationTokenSource Cancel => _cancel;
    public void RenewCancel() => _cancel = new CancellationTokenSource();
    public bool Finished => State is "done" or "failed" or "cancelled";

    public string PromptPath => Path.Combine(Dir, "prompt.wav");
    public string RequestPath => Path.Combine(Dir, "request.json");
    /// <summary>Present while a run is in progress: how many runs started without ending (a count > 1 at start means crashes).</summary>
    public string AttemptsPath => Path.Combine(Dir, "attempts");

    public int Attempts => File.Exists(AttemptsPath) && int.TryParse(File.ReadAllText(AttemptsPath).Trim(), out var n) ? n : 0;
    public void BeginAttempt() => JukeboxBridge.Storage.AtomicFile.WriteAllText(AttemptsPath, (Attempts + 1).ToString());
    public void EndAttempt() { try { File.Delete(AttemptsPath); } catch (IOException) { } catch (UnauthorizedAccessException) { } }

    /// <summary>job.json written straight into the folder (also before a TakeStore exists), so a restart finds the final state.</summary>
    public void WriteFinalStatus(string state, string? error) => TakeStore.WriteStatus(Dir, new JobStatus(state, error));

    private long? _finishedBytes;

    /// <summary>Bytes of the job's folder on disk (measured once for a finished job: its folder no longer grows).</summary>
    public long DiskBytes()
    {
        if (_finishedBytes is long b) return b;
        long bytes;
        try { bytes = new DirectoryInfo(Dir).EnumerateFiles("*", SearchOption.AllDirectories).Sum(f => f.Length); }
        catch (IOException) { return 0; }
        if (Finished) _finishedBytes = bytes;
        return bytes;
    }

    public JobInfo Info() => new(Id, State, Request.Mode, Seconds, Variations, BlocksWritten, Request.Created.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ"));
}
