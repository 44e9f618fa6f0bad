using JukeboxBridge.Daemon.Jobs;
using JukeboxBridge.Daemon.Security;
using JukeboxBridge.Daemon.Server;
using JukeboxBridge.Sampling;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace JukeboxBridge.Daemon;

/// <summary>
/// The daemon assembled: keys (made at first start, with the local client's file), the jobs folder (interrupted jobs
/// re-queued), the served bundle on one worker, and the server. Start it, and Dispose to stop (running jobs stay
/// resumable: the next start picks them up).
/// </summary>
public sealed class JukeboxDaemon : IDisposable
{
    public DaemonOptions Options { get; }
    public KeyStore Keys { get; }
    public JobBook Jobs { get; }
    public DaemonServer Server { get; }
    public ClientFile LocalClient { get; }
    private readonly IJobExecutor _worker;
    private readonly FileStream _lock;

    /// <summary>The file a running daemon holds open exclusively in its jobs folder (one daemon per folder; offline pruning waits for none).</summary>
    public static string LockPath(string jobsDir) => Path.Combine(jobsDir, "daemon.lock");

    /// <summary>Takes the jobs folder's lock, or says which daemon holds it.</summary>
    public static FileStream LockJobs(string jobsDir)
    {
        Directory.CreateDirectory(jobsDir);
        try { return new FileStream(LockPath(jobsDir), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None); }
        catch (IOException) { throw new IOException($"another jukebox daemon is using the jobs folder {jobsDir} (stop it first)"); }
    }

    /// <param name="executor">Who runs the jobs (null: a local <see cref="Worker"/> on this process's device).</param>
    public JukeboxDaemon(DaemonOptions o, ILogger? log = null, IJobExecutorFactory? executor = null)
    {
        log ??= NullLogger.Instance;
        Options = o;
        _ = o.UseCurve;                                                        // refuses an unencrypted non-loopback bind up front
        Keys = new KeyStore(o.KeysDir);
        _lock = LockJobs(o.JobsDir);
        ModelBundle bundle;
        try { bundle = ModelBundle.Load(ModelBundle.ResolveSpec(o.Model)); }
        catch { _lock.Dispose(); throw; }
        try
        {
            Jobs = new JobBook(o.JobsDir, line => log.LogInformation("{Line}", line), o.MaxJobCrashes, runsElsewhere: executor?.RunsElsewhere ?? false);
            if (o.RetainDays > 0 && Jobs.Prune(DateTimeOffset.UtcNow.AddDays(-o.RetainDays)) is > 0 and var pruned)
                log.LogInformation("Deleted {Count} finished job(s) older than {Days} days", pruned, o.RetainDays);
            string fingerprint = BundleFingerprint.Of(bundle);
            Server = new DaemonServer(o, bundle, Jobs, Keys, log, fingerprint);
            LocalClient = Keys.EnsureLocalClient(Server.Endpoint, o.UseCurve);
            _worker = executor?.Create(new ExecutorContext(o, bundle, Jobs, Server, log, fingerprint))
                      ?? new Worker(bundle, Jobs, Server, o.Device, log, fingerprint);
        }
        catch
        {
            bundle.Dispose();
            _lock.Dispose();
            throw;
        }
        log.LogInformation("Serving {Model} on {Endpoint} ({Encryption}, HMAC client authentication); jobs in {JobsDir}; keys in {KeysDir}",
            bundle.Source, Server.Endpoint, o.UseCurve ? "CURVE encryption" : "loopback, no encryption", o.JobsDir, Keys.Dir);
    }

    public void Start()
    {
        Server.RunAsync();
        _worker.Start();
    }

    public void Dispose()
    {
        _worker.Dispose();                                                     // first: its last events still find the server's queue open
        Server.Dispose();
        _lock.Dispose();
    }
}

/// <summary>What an executor gets from the daemon: its options, the served bundle, the job book, the server's event sink.</summary>
public sealed record ExecutorContext(DaemonOptions Options, ModelBundle Bundle, JobBook Jobs, IJobEvents Events, ILogger Log, string Fingerprint);

/// <summary>Makes the daemon's <see cref="IJobExecutor"/> (scale-out passes one that hands jobs to remote workers).</summary>
public interface IJobExecutorFactory
{
    /// <summary>Jobs run in other processes: the job book must not tidy their folders at start.</summary>
    bool RunsElsewhere { get; }
    IJobExecutor Create(ExecutorContext context);
}
