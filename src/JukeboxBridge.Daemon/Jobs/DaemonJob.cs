using JukeboxBridge.Errors;
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
    /// <summary>"full" or "preview" (null: full).</summary>
    public string? Quality { get; init; }
    /// <summary>Upsample: the source job's variation (0-based) to upsample; null: every one.</summary>
    public long? Variation { get; init; }
    /// <summary>The take's place on the client's timeline (BWF time reference of the take WAVs).</summary>
    public double? TimelineSeconds { get; init; }
    public bool IsPreview => Quality == "preview";

    public static JobRequest From(string job, string client, Submit s, long promptSamples, string modelFingerprint) => new(job, client, s.Mode, s.Job, DateTimeOffset.UtcNow,
        s.Settings.Model, s.Settings.Seconds, s.Settings.Variations, s.Settings.Seed, s.Settings.Temperature, s.Settings.TopK, s.Settings.TopP,
        s.Settings.Artist, s.Settings.Genre, s.Settings.Lyrics, promptSamples)
    { ModelFingerprint = modelFingerprint, Quality = s.Settings.Quality, Variation = s.Settings.Variation, TimelineSeconds = s.Settings.TimelineSeconds };

    private static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower, WriteIndented = true };
    public string ToJson() => JsonSerializer.Serialize(this, Json);
    public static JobRequest FromJson(string text) => JsonSerializer.Deserialize<JobRequest>(text, Json) ?? throw new UserInputException("request.json", "empty request.json");
}

/// <summary>
/// One job the daemon knows: its request, folder and state. The state changes only through <see cref="MoveTo"/> /
/// <see cref="TryMove"/>, under the job's lock and along <see cref="JobLifecycleNames.Allowed"/>; the worker and the
/// job book move it, the server thread reads it (and the block files) to stream.
/// </summary>
public sealed class DaemonJob(JobRequest request, string dir)
{
    public JobRequest Request { get; } = request;
    public string Id => Request.Job;
    public string Client => Request.Client;
    public string Dir { get; } = dir;
    public TakeStore? Store { get; set; }
    private readonly object _gate = new();
    private JobLifecycle _state = JobLifecycle.Queued;
    public JobLifecycle State { get { lock (_gate) return _state; } }

    /// <summary>Moves the state; a change the state machine does not allow is a bug (InvalidOperationException).</summary>
    public void MoveTo(JobLifecycle to)
    {
        lock (_gate)
        {
            if (!JobLifecycleNames.Allowed(_state, to)) throw new InvalidOperationException($"job {Id}: {_state} -> {to} is not a state change the daemon makes");
            _state = to;
        }
    }

    /// <summary>Moves the state only from <paramref name="from"/> (check and set in one step); false otherwise.</summary>
    public bool TryMove(JobLifecycle from, JobLifecycle to)
    {
        lock (_gate)
        {
            if (_state != from) return false;
            MoveTo(to);
            return true;
        }
    }

    /// <summary>The state found in the folder at start, before the job is shared with other threads.</summary>
    internal void Restore(JobLifecycle state) { lock (_gate) _state = state; }
    public string? Error { get; set; }
    public int Variations { get; set; } = (int)(request.Variations ?? 1);
    public double Seconds { get; set; } = request.Seconds ?? 0;
    /// <summary>Blocks (sequence numbers) written to the folder so far.</summary>
    public volatile int BlocksWritten;
    private volatile CancellationTokenSource _cancel = new();
    /// <summary>The current run's cancellation (a resumed job gets a fresh one: a cancelled source cannot be reset).</summary>
    public CancellationTokenSource Cancel => _cancel;
    public void RenewCancel() => _cancel = new CancellationTokenSource();
    public bool Finished => State is JobLifecycle.Done or JobLifecycle.Failed or JobLifecycle.Cancelled;

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

    public JobInfo Info() => new(Id, State.WireName(), Request.Mode, Seconds, Variations, BlocksWritten, Request.Created.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ"));
}
