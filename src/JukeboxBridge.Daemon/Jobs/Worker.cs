using JukeboxBridge.Errors;
using JukeboxBridge.Audio.Wav;
using JukeboxBridge.Model.Checkpoints;
using JukeboxBridge.Model.Labels;
using JukeboxBridge.Model.Vqvae;
using JukeboxBridge.Protocol;
using JukeboxBridge.Sampling;
using JukeboxBridge.Sampling.Devices;
using JukeboxBridge.Sampling.Jobs;
using Microsoft.Extensions.Logging;

namespace JukeboxBridge.Daemon.Jobs;

/// <summary>What the worker tells the server thread (called on the worker thread; implementations hand over to their own thread).</summary>
public interface IJobEvents
{
    void Started(DaemonJob job);
    void Progress(DaemonJob job, JobProgress p);
    void BlockWritten(DaemonJob job, int seq);
    void Finished(DaemonJob job, string? errorCode, string? message);
}

/// <summary>
/// Runs daemon jobs with one loaded bundle: the local <see cref="Worker"/>'s thread, and a scale-out worker pulling
/// jobs from a queue, call the same <see cref="Run"/>. Every job runs in its folder, so blocks are on disk before
/// anyone streams them, and a job interrupted by a stop or a crash resumes from its saved codes.
/// </summary>
public sealed class JobRunner : IDisposable
{
    private readonly DeviceOptions _device;
    private readonly ILogger _log;
    private readonly Action<string> _jobLog;
    private readonly Func<DaemonJob, TakeStore?> _sources;
    public ModelBundle Bundle { get; }
    /// <summary><see cref="BundleFingerprint"/> of the served bundle: recorded by every accepted job, checked on resume.</summary>
    public string Fingerprint { get; }

    /// <param name="sources">The store of an upsample job's source job (null: none with codes).</param>
    public JobRunner(ModelBundle bundle, DeviceOptions device, ILogger log, string fingerprint, Func<DaemonJob, TakeStore?> sources)
    {
        Bundle = bundle; _device = device; _log = log; Fingerprint = fingerprint; _sources = sources;
        _jobLog = line => _log.LogInformation("{Line}", line);
    }

    /// <summary>Runs the job to its end (done, failed, cancelled) or until <paramref name="stop"/> (left resumable).</summary>
    public void Run(DaemonJob job, IJobEvents events, CancellationToken stop)
    {
        events.Started(job);                                                  // the book moved it to running when it handed it out
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(job.Cancel.Token, stop);
        try
        {
            job.BeginAttempt();                                                // left behind only if the process dies in the run
            CheckModel(job);
            using var sampling = Open(job);
            job.Store = sampling.Store;
            job.Variations = sampling.Settings.Variations;
            job.Seconds = sampling.Settings.Seconds;
            job.BlocksWritten = sampling.Store!.CountBlocks();
            sampling.Run(new CallbackProgress<JobProgress>(p => events.Progress(job, p)),
                         new CallbackProgress<DecodedBlock>(b => { job.BlocksWritten = b.Seq + 1; events.BlockWritten(job, b.Seq); }), linked.Token);
            job.MoveTo(JobLifecycle.Done);
            _log.LogInformation("Job {Job} of {Client} done: {Blocks} blocks", job.Id, job.Client, job.BlocksWritten);
            events.Finished(job, null, null);
        }
        catch (OperationCanceledException)
        {
            // A daemon stop is not the client's cancel: the folder is marked interrupted, and the next start resumes it.
            try
            {
                if (stop.IsCancellationRequested) job.Store?.WriteStatus(new JobStatus(JobStatus.Running, "interrupted by a daemon stop"));
                else job.WriteFinalStatus(JobStatus.Cancelled, null);
            }
            catch (Exception io) when (io is IOException or UnauthorizedAccessException) { _log.LogError(io, "Job {Job}: could not record its state", job.Id); }
            job.MoveTo(stop.IsCancellationRequested ? JobLifecycle.Queued : JobLifecycle.Cancelled);
            if (!stop.IsCancellationRequested) events.Finished(job, ErrorCodes.Cancelled, "cancelled; submit mode \"resume\" to finish it");
        }
        catch (Exception e)
        {
            string errorId = ErrorId.New();
            var (code, message) = Classify(e, errorId);
            job.Error = message;
            if (code == ErrorCodes.Internal) _log.LogError(e, "Job {Job} of {Client} failed: internal error {ErrorId}", job.Id, job.Client, errorId);
            else _log.LogWarning("Job {Job} of {Client} failed: {Code}: {Message}", job.Id, job.Client, code, message);
            try { job.WriteFinalStatus(JobStatus.Failed, message); }
            catch (Exception io) when (io is IOException or UnauthorizedAccessException) { _log.LogError(io, "Job {Job}: could not record its failure", job.Id); }
            job.MoveTo(JobLifecycle.Failed);                                   // after the folder says so: a reader of the state finds job.json written
            events.Finished(job, code, message);
        }
        finally { job.EndAttempt(); }
    }

    /// <summary>A job resumes only under the weights it started with (older job folders carry no fingerprint).</summary>
    private void CheckModel(DaemonJob job)
    {
        string? recorded = job.Request.ModelFingerprint;
        if (recorded is not null && recorded != Fingerprint && File.Exists(Path.Combine(job.Dir, "settings.json")))
            throw new ModelMismatchException($"job {job.Id} was started with another model (fingerprint {recorded}); this daemon serves " +
                $"{Path.GetFileNameWithoutExtension(Bundle.Source)} ({Fingerprint}). Serve that model to finish it, or submit it again");
    }

    /// <summary>The sampling job for a daemon job: resumed when its folder already holds one, else created from the request.</summary>
    private SamplingJob Open(DaemonJob job)
    {
        if (File.Exists(Path.Combine(job.Dir, "settings.json")))
            return SamplingJob.Resume(Bundle, TakeStore.Open(job.Dir), _device, _jobLog);
        var r = job.Request;
        if (r.Mode == "resume") throw new JobInputException("mode", "nothing to resume: that job never started");
        var settings = new JobSettings
        {
            Mode = r.Mode switch
            {
                "continue" => JobMode.Continue, "sample" => JobMode.Sample, "upsample" => JobMode.Upsample,
                _ => throw new InvalidOperationException($"job {job.Id}: mode '{r.Mode}' cannot start a job"),
            },
            Model = Bundle.Source, Seconds = r.Seconds ?? Bundle.Sampling.Seconds, Variations = (int)(r.Variations ?? Bundle.Sampling.Variations),
            Seed = (int)(r.Seed ?? 0), Temperature = r.Temperature is double t ? [t] : [], TopK = (int)(r.TopK ?? 0), TopP = r.TopP ?? 0,
            Artist = r.Artist, Genre = r.Genre, Lyrics = r.Lyrics, Prompt = r.Mode == "continue" ? "prompt.wav" : null,
            Quality = r.IsPreview ? JobQuality.Preview : JobQuality.Full, TimelineSeconds = r.TimelineSeconds ?? 0,
        };
        var store = TakeStore.Create(job.Dir);
        switch (settings.Mode)
        {
            case JobMode.Continue:
                return SamplingJob.Create(Bundle, settings, WavReader.Read(job.PromptPath), idsDir: Bundle.IdsDir, store: store, device: _device, log: _jobLog);
            case JobMode.Sample:
                return SamplingJob.Create(Bundle, settings, idsDir: Bundle.IdsDir, store: store, device: _device, log: _jobLog);
            default:
            {
                System.Diagnostics.Debug.Assert(settings.Mode == JobMode.Upsample);
                var source = _sources(job) ?? throw new JobInputException("source_job", $"job '{r.SourceJob}' has no codes to upsample");
                using var codes = source.ReadCodes();
                // Like `jukebox upsample JOB`: the source's style, lyrics and temperatures unless the request sets them,
                // every row (or the chosen variation), and its prompt kept at every level.
                var parent = JobSettings.UpsampleOf(source.ReadSettings(), codes.PromptSeconds, r.SourceJob!, (int?)r.Variation);
                settings = parent with
                {
                    Model = Bundle.Source,
                    Variations = (int)(r.Variations ?? parent.Variations), Seed = (int)(r.Seed ?? parent.Seed),
                    Temperature = r.Temperature is double ut ? [ut] : parent.Temperature,
                    TopK = (int)(r.TopK ?? (r.TopP is null ? parent.TopK : 0)), TopP = r.TopP ?? (r.TopK is null ? parent.TopP : 0),
                    Artist = r.Artist ?? parent.Artist, Genre = r.Genre ?? parent.Genre, Lyrics = r.Lyrics ?? parent.Lyrics,
                    TimelineSeconds = r.TimelineSeconds ?? parent.TimelineSeconds,
                };
                return SamplingJob.Create(Bundle, settings, codes: codes, idsDir: Bundle.IdsDir, store: store, device: _device, log: _jobLog);
            }
        }
    }

    /// <summary>
    /// Stable error code and a message that names the problem without internals. The user's input (settings, names,
    /// files: <see cref="UserInputException"/>) and a model that cannot serve the job come back as they are; anything
    /// else is a bug or the machine's, reported as <c>internal</c> with an id that finds its trace in the daemon's log.
    /// </summary>
    public static (string Code, string Message) Classify(Exception e, string errorId) => e switch
    {
        ModelInputException or FileNotFoundException => (ErrorCodes.ModelError, e.Message),
        UserInputException => (ErrorCodes.BadSettings, e.Message),
        OutOfMemoryException => (ErrorCodes.OutOfMemory, "out of memory; the job folder keeps what was made: resume it, with fewer variations or a lower memory budget"),
        System.Runtime.InteropServices.ExternalException x when x.Message.Contains("out of memory", StringComparison.OrdinalIgnoreCase)
            => (ErrorCodes.OutOfMemory, "the device ran out of memory; the job folder keeps what was made: resume it, with fewer variations or a lower memory budget"),
        _ => (ErrorCodes.Internal, $"internal error {errorId} (its trace is in the daemon's log); the job folder keeps what was made"),
    };

    public void Dispose() => Bundle.Dispose();
}

/// <summary>
/// The local GPU (or CPU) worker: one thread that takes jobs from the fair queue and runs them with the
/// <see cref="JobRunner"/> of the served bundle, loaded once.
/// </summary>
public sealed class Worker : IJobExecutor
{
    private readonly JobBook _book;
    private readonly IJobEvents _events;
    private readonly ILogger _log;
    private readonly CancellationTokenSource _stop = new();
    private readonly Thread _thread;
    private readonly JobRunner _runner;

    public Worker(ModelBundle bundle, JobBook book, IJobEvents events, DeviceOptions device, ILogger log, string fingerprint)
    {
        _book = book; _events = events; _log = log;
        _runner = new JobRunner(bundle, device, log, fingerprint, job => book.Find(job.Request.SourceJob ?? "", job.Client)?.Store);
        _thread = new Thread(Loop) { Name = "jukebox-worker", IsBackground = true };
    }

    public void Start() => _thread.Start();

    private void Loop()
    {
        while (!_stop.IsCancellationRequested)
        {
            DaemonJob job;
            try { job = _book.Take(_stop.Token); }
            catch (OperationCanceledException) { return; }
            try { _runner.Run(job, _events, _stop.Token); }
            catch (Exception e) { _log.LogError(e, "Job {Job}: the worker caught an error outside the job's own handling", job.Id); }
        }
    }

    public void Dispose()
    {
        _stop.Cancel();
        if (_thread.IsAlive) _thread.Join(TimeSpan.FromSeconds(30));
        _runner.Dispose();
    }
}

/// <summary>What runs the daemon's queued jobs: the local <see cref="Worker"/>, or a dispatcher to remote workers (scale-out).</summary>
public interface IJobExecutor : IDisposable
{
    void Start();
}

/// <summary>A job that cannot run as asked (the user's input, not a bug).</summary>
public sealed class JobInputException(string field, string message) : UserInputException(field, message);

/// <summary>A job's recorded model is not the one served.</summary>
public sealed class ModelMismatchException(string message) : ModelInputException("model", message);
