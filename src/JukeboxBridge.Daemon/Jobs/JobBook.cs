using System.Collections.Concurrent;
using JukeboxBridge.Sampling.Jobs;

namespace JukeboxBridge.Daemon.Jobs;

/// <summary>
/// Every job the daemon knows (by id) and the fair queue of those waiting: clients take turns, so one client's
/// batch of jobs cannot starve another's. Rebuilt from the jobs folder at start: finished jobs are listed again,
/// interrupted ones (running or queued when the daemon stopped) go back in the queue and resume from their codes.
/// </summary>
public sealed class JobBook
{
    private readonly ConcurrentDictionary<string, DaemonJob> _jobs = new();
    private readonly Dictionary<string, Queue<DaemonJob>> _queues = new();
    private readonly List<string> _turns = new();
    private readonly SemaphoreSlim _waiting = new(0);
    private int _turn;
    private readonly bool _runsElsewhere;

    public string Dir { get; }

    /// <param name="maxCrashes">An interrupted job whose runs ended this many times without finishing (the process died
    /// under it) is marked failed instead of queued again, so one poison job cannot crash-loop the daemon.</param>
    /// <param name="runsElsewhere">Jobs run in other processes (scale-out workers) that may be writing to their folders
    /// now: the book only reads them and queues every unfinished one again; the worker that takes a job tidies its
    /// folder and counts its crashes under the job's lock.</param>
    public JobBook(string dir, Action<string>? log = null, int maxCrashes = 3, bool runsElsewhere = false)
    {
        Dir = dir;
        _runsElsewhere = runsElsewhere;
        Directory.CreateDirectory(dir);
        foreach (var clientDir in Directory.GetDirectories(dir))
            foreach (var jobDir in Directory.GetDirectories(clientDir).Order())
            {
                var requestPath = Path.Combine(jobDir, "request.json");
                if (!File.Exists(requestPath)) continue;
                try { Restore(jobDir, requestPath, log, maxCrashes); }
                catch (Exception e) when (e is IOException or JukeboxBridge.Errors.UserInputException or FormatException or System.Text.Json.JsonException
                                          or ArgumentException or UnauthorizedAccessException or InvalidOperationException)
                {
                    log?.Invoke($"skipping unreadable job folder {jobDir}: {e.Message}");
                }
            }
    }

    private void Restore(string jobDir, string requestPath, Action<string>? log, int maxCrashes)
    {
        if (!_runsElsewhere) JukeboxBridge.Storage.AtomicFile.CleanOrphans(jobDir, recursive: true);
        var job = new DaemonJob(JobRequest.FromJson(File.ReadAllText(requestPath)), jobDir);
        JobStatus? status = null;
        try { status = TakeStore.ReadStatus(jobDir); }
        catch (System.Text.Json.JsonException) { log?.Invoke($"job {job.Id}: unreadable job.json, treated as interrupted"); }   // a torn write from before fsync
        bool hasSettings = File.Exists(Path.Combine(jobDir, "settings.json")), hasCodes = File.Exists(Path.Combine(jobDir, "codes.safetensors"));
        if (hasSettings && !hasCodes && !_runsElsewhere)
        {
            // Killed between settings.json and the first codes: nothing was sampled, so the job starts again from its request.
            log?.Invoke($"job {job.Id} of {job.Client} stopped before its first codes: restarting it from the request");
            foreach (var f in new[] { "settings.json", "job.json" }) File.Delete(Path.Combine(jobDir, f));
            status = null;
        }
        else if (hasSettings && hasCodes)
        {
            job.Store = TakeStore.Open(jobDir);
            job.BlocksWritten = job.Store.CountBlocks();
            var settings = job.Store.ReadSettings();
            job.Variations = settings.Variations;
            job.Seconds = settings.Seconds;
        }
        _jobs[job.Id] = job;
        if (JobLifecycleNames.FinalFromStatus(status?.State) is JobLifecycle final)
        {
            job.Restore(final);
            job.Error = status!.Error;
            job.EndAttempt();
            return;
        }
        if (job.Attempts >= maxCrashes && !_runsElsewhere)
        {
            job.Restore(JobLifecycle.Failed);
            job.Error = $"the daemon stopped {job.Attempts} times while running this job; it is not resumed again (see the daemon's log)";
            job.WriteFinalStatus(JobStatus.Failed, job.Error);
            job.EndAttempt();
            log?.Invoke($"job {job.Id} of {job.Client} failed: {job.Error}");
            return;
        }
        log?.Invoke($"job {job.Id} of {job.Client} was interrupted: queued to resume");
        Enqueue(job);
    }

    public DaemonJob? Find(string id, string client) => _jobs.TryGetValue(id, out var j) && j.Client == client ? j : null;
    public IReadOnlyList<DaemonJob> Of(string client) => _jobs.Values.Where(j => j.Client == client).OrderBy(j => j.Request.Created).ToList();
    public void Add(DaemonJob job) => _jobs[job.Id] = job;

    /// <summary>Jobs of the client waiting to run (cancelled ones still in the queue do not count).</summary>
    public int Queued(string client)
    {
        lock (_queues) return _queues.TryGetValue(client, out var q) ? q.Count(j => !j.Cancel.IsCancellationRequested) : 0;
    }

    /// <summary>Removes a finished job from the book and deletes its folder; false when it is queued or running.</summary>
    public bool Delete(DaemonJob job)
    {
        if (!job.Finished) return false;
        _jobs.TryRemove(job.Id, out _);
        try { Directory.Delete(job.Dir, recursive: true); } catch (DirectoryNotFoundException) { }
        return true;
    }

    /// <summary>Deletes finished jobs created before <paramref name="cutoff"/>; returns how many.</summary>
    public int Prune(DateTimeOffset cutoff, string? client = null)
    {
        int n = 0;
        foreach (var j in _jobs.Values.Where(j => (client is null || j.Client == client) && j.Finished && j.Request.Created < cutoff).ToList())
        {
            try { if (Delete(j)) n++; }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { _jobs[j.Id] = j; }   // kept; tried again at the next pass
        }
        return n;
    }

    public void Enqueue(DaemonJob job)
    {
        lock (_queues)
        {
            if (_queues.TryGetValue(job.Client, out var existing) && existing.Contains(job)) return;   // already waiting
            if (!_queues.TryGetValue(job.Client, out var q))
            {
                _queues[job.Client] = q = new Queue<DaemonJob>();
                _turns.Add(job.Client);
            }
            if (job.State != JobLifecycle.Queued) job.MoveTo(JobLifecycle.Queued);   // a resumed cancelled or failed job
            q.Enqueue(job);
        }
        _waiting.Release();
    }

    /// <summary>
    /// Takes a waiting job out of the queue and marks it cancelled (on disk too); false when it is not waiting (running
    /// or finished). Under the queue's lock, so it cannot race <see cref="Take"/>.
    /// </summary>
    public bool CancelQueued(DaemonJob job)
    {
        lock (_queues)
        {
            if (!_queues.TryGetValue(job.Client, out var q) || !q.Contains(job)) return false;
            var rest = q.Where(j => j != job).ToList();
            q.Clear();
            foreach (var j in rest) q.Enqueue(j);
            job.Cancel.Cancel();
            job.WriteFinalStatus(JobStatus.Cancelled, null);
            job.MoveTo(JobLifecycle.Cancelled);
            return true;
        }
    }

    /// <summary>The next job, clients in turn; waits until there is one (or <paramref name="stop"/>).</summary>
    public DaemonJob Take(CancellationToken stop)
    {
        while (true)
        {
            _waiting.Wait(stop);
            lock (_queues)
            {
                for (int i = 0; i < _turns.Count; i++)
                {
                    string client = _turns[(_turn + i) % _turns.Count];
                    if (_queues[client].TryDequeue(out var job))
                    {
                        _turn = (_turn + i + 1) % _turns.Count;
                        if (job.Cancel.IsCancellationRequested) { job.TryMove(JobLifecycle.Queued, JobLifecycle.Cancelled); break; }
                        job.MoveTo(JobLifecycle.Running);                                // under the lock: a cancel sees queued or running, never between
                        return job;
                    }
                }
            }
        }
    }
}
