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

    public string Dir { get; }

    public JobBook(string dir, Action<string>? log = null)
    {
        Dir = dir;
        Directory.CreateDirectory(dir);
        foreach (var clientDir in Directory.GetDirectories(dir))
            foreach (var jobDir in Directory.GetDirectories(clientDir).Order())
            {
                var requestPath = Path.Combine(jobDir, "request.json");
                if (!File.Exists(requestPath)) continue;
                try
                {
                    var job = new DaemonJob(JobRequest.FromJson(File.ReadAllText(requestPath)), jobDir);
                    var status = File.Exists(Path.Combine(jobDir, "job.json")) ? TakeStore.Open(jobDir).ReadStatus() : null;
                    if (File.Exists(Path.Combine(jobDir, "settings.json")))
                    {
                        job.Store = TakeStore.Open(jobDir);
                        job.BlocksWritten = job.Store.CountBlocks();
                        var settings = job.Store.ReadSettings();
                        job.Variations = settings.Variations;
                        job.Seconds = settings.Seconds;
                    }
                    _jobs[job.Id] = job;
                    if (status?.State is JobStatus.Done or JobStatus.Failed or JobStatus.Cancelled)
                    {
                        job.State = status.State;
                        job.Error = status.Error;
                    }
                    else
                    {
                        log?.Invoke($"job {job.Id} of {job.Client} was interrupted: queued to resume");
                        Enqueue(job);
                    }
                }
                catch (Exception e) when (e is IOException or FormatException or System.Text.Json.JsonException)
                {
                    log?.Invoke($"skipping unreadable job folder {jobDir}: {e.Message}");
                }
            }
    }

    public DaemonJob? Find(string id, string client) => _jobs.TryGetValue(id, out var j) && j.Client == client ? j : null;
    public IReadOnlyList<DaemonJob> Of(string client) => _jobs.Values.Where(j => j.Client == client).OrderBy(j => j.Request.Created).ToList();
    public void Add(DaemonJob job) => _jobs[job.Id] = job;

    public int Queued(string client)
    {
        lock (_queues) return _queues.TryGetValue(client, out var q) ? q.Count : 0;
    }

    public void Enqueue(DaemonJob job)
    {
        lock (_queues)
        {
            if (!_queues.TryGetValue(job.Client, out var q))
            {
                _queues[job.Client] = q = new Queue<DaemonJob>();
                _turns.Add(job.Client);
            }
            job.State = "queued";
            q.Enqueue(job);
        }
        _waiting.Release();
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
                        if (job.Cancel.IsCancellationRequested) { job.State = "cancelled"; break; }
                        return job;
                    }
                }
            }
        }
    }
}
