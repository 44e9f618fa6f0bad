using System.Collections.Concurrent;
using JukeboxBridge.Daemon;
using JukeboxBridge.Daemon.Jobs;
using JukeboxBridge.Errors;
using JukeboxBridge.Protocol;
using JukeboxBridge.Sampling.Jobs;
using Microsoft.Extensions.Logging;
using NATS.Client.Core;
using NATS.Client.JetStream;

namespace JukeboxBridge.ScaleOut;

/// <summary>`jukebox serve --nats`: the daemon's jobs go to remote workers through JetStream instead of a local worker.</summary>
public sealed class NatsExecutorFactory(NatsOptions nats) : IJobExecutorFactory
{
    public bool RunsElsewhere => true;
    public IJobExecutor Create(ExecutorContext context) => new NatsDispatcher(nats, context);
}

/// <summary>
/// The front's side of scale-out. Fairness stays where it was: the job book's per-client turns pick the next job, and
/// only as many jobs are on the stream as there are live workers for the served model (so a client's batch cannot
/// fill the stream ahead of another client's job). A dispatched job's progress arrives on its events subject; its
/// blocks and final state are read from the shared job folder, once a second too, so a lost event (or a restart of
/// NATS or of the front) delays nothing for long and loses nothing.
/// </summary>
public sealed class NatsDispatcher : IJobExecutor
{
    private readonly NatsOptions _nats;
    private readonly ExecutorContext _c;
    private readonly JobQueue _queue;
    private readonly ILogger _log;
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentDictionary<string, Dispatched> _inFlight = new();
    private readonly ConcurrentDictionary<string, (string Fingerprint, DateTime Seen)> _workers = new();
    private readonly SemaphoreSlim _room = new(0);
    private NatsConnection? _nc;
    private Task _loops = Task.CompletedTask;

    private sealed class Dispatched(DaemonJob job)
    {
        public DaemonJob Job { get; } = job;
        public DateTime? FinalSeen;
        public int Completed;
    }

    public NatsDispatcher(NatsOptions nats, ExecutorContext c)
    {
        _nats = nats; _c = c; _queue = new JobQueue(nats); _log = c.Log;
        _ = nats.ToNatsOpts("check");                                           // bad options fail at start, not in a loop
    }

    /// <summary>Workers of the served model heard from in the last 10 s.</summary>
    public int LiveWorkers => _workers.Count(w => w.Value.Fingerprint == _c.Fingerprint && DateTime.UtcNow - w.Value.Seen < TimeSpan.FromSeconds(10));
    public int InFlight => _inFlight.Count;

    public void Start()
    {
        var opts = _nats.ToNatsOpts("jukebox-front");
        _nc = JobQueue.ConnectAsync(opts, _stop.Token).GetAwaiter().GetResult();
        var js = new NatsJSContext(_nc);
        _queue.EnsureAsync(js, _c.Fingerprint, _stop.Token).GetAwaiter().GetResult();
        _log.LogInformation("Jobs go to workers of {Fingerprint} through NATS at {Url} (stream {Stream}); block files are read from {JobsDir}",
            _c.Fingerprint, _nats.Url, _queue.Stream, _c.Jobs.Dir);
        _loops = Task.WhenAll(
            Task.Factory.StartNew(() => DispatchLoop(js), TaskCreationOptions.LongRunning).Unwrap(),
            WatchEvents(), WatchWorkers(), ReconcileLoop());
    }

    // ---- dispatch

    private async Task DispatchLoop(NatsJSContext js)
    {
        var stop = _stop.Token;
        while (!stop.IsCancellationRequested)
        {
            while (_inFlight.Count >= Math.Max(1, LiveWorkers) && !stop.IsCancellationRequested)
                await _room.WaitAsync(TimeSpan.FromMilliseconds(500), stop).ContinueWith(_ => { });
            DaemonJob job;
            try { job = await Task.Run(() => _c.Jobs.Take(stop), stop); }
            catch (OperationCanceledException) { return; }
            var d = new Dispatched(job);
            _inFlight[job.Id] = d;
            try { File.Delete(JobFolder.CancelMarker(job.Dir)); } catch (IOException) { }   // a resumed job is wanted again
            job.Cancel.Token.Register(() => _ = CancelRemote(job));
            var ticket = Wire.Encode(new JobTicket(job.Client, job.Id));
            for (int attempt = 0; !stop.IsCancellationRequested; attempt++)
            {
                try
                {
                    var ack = await js.PublishAsync(_queue.JobsSubject(_c.Fingerprint), ticket, cancellationToken: stop);
                    ack.EnsureSuccess();
                    _log.LogInformation("Job {Job} of {Client} handed to the workers ({InFlight} on the stream or running, {Workers} live worker(s))", job.Id, job.Client, _inFlight.Count, LiveWorkers);
                    break;
                }
                catch (OperationCanceledException) { return; }
                catch (Exception e) when (e is NatsException or NatsJSException or TimeoutException)
                {
                    if (attempt % 10 == 0) _log.LogWarning("Job {Job}: NATS did not take it ({Error}); retrying", job.Id, e.Message);
                    await Task.Delay(500, stop).ContinueWith(_ => { });
                }
            }
        }
    }

    /// <summary>A client's cancel of a dispatched job: the marker in its folder (read by a worker before it starts it, and while it runs), then the message.</summary>
    private async Task CancelRemote(DaemonJob job)
    {
        if (!_inFlight.ContainsKey(job.Id)) return;
        try { File.WriteAllText(JobFolder.CancelMarker(job.Dir), DateTimeOffset.UtcNow.ToString("O")); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { _log.LogError(e, "Job {Job}: could not write its cancel marker", job.Id); }
        try { if (_nc is { } nc) await nc.PublishAsync(_queue.CancelSubject(job.Id), Array.Empty<byte>()); }
        catch (Exception e) when (e is NatsException or TimeoutException or ObjectDisposedException) { _log.LogWarning("Job {Job}: the cancel did not reach NATS ({Error}); the worker sees the marker", job.Id, e.Message); }
    }

    // ---- what the workers say

    private async Task WatchEvents()
    {
        try
        {
            await foreach (var m in _nc!.SubscribeAsync<byte[]>(_queue.AllEvents, cancellationToken: _stop.Token))
            {
                var e = Wire.Decode<WorkerEvent>(m.Data ?? [], out var why);
                if (e is null) { _log.LogWarning("Dropped a worker event on {Subject}: {Why}", m.Subject, why); continue; }
                if (!_inFlight.TryGetValue(e.Job, out var d) || d.Job.Client != e.Client) continue;   // not ours, or finished
                try { Apply(d, e); }
                catch (Exception x) when (x is IOException or UnauthorizedAccessException) { _log.LogWarning("Job {Job}: its folder is not readable yet ({Error})", e.Job, x.Message); }
            }
        }
        catch (OperationCanceledException) { }
    }

    private void Apply(Dispatched d, WorkerEvent e)
    {
        var job = d.Job;
        switch (e.Kind)
        {
            case "progress":
                _c.Events.Progress(job, new JobProgress(e.Level, e.WindowsDone, e.WindowsTotal, e.TokensDone, e.TokensTotal,
                                                        e.JobTokensDone, e.JobTokensTotal, e.ElapsedSeconds, e.EtaSeconds));
                break;
            case "block":
                Refresh(job);
                break;
            case "finished":
                Refresh(job);
                if (JobFolder.TryStatus(job.Dir) is { } s && JobLifecycleNames.FinalFromStatus(s.State) is { } final)
                    Complete(d, final, e.Code, e.Message ?? s.Error);
                break;
        }
    }

    /// <summary>Blocks now in the folder (and the store, once it exists), announced to the server.</summary>
    private void Refresh(DaemonJob job)
    {
        if (job.Store is null && JobFolder.TryOpen(job.Dir) is { } store)
        {
            var settings = store.ReadSettings();
            job.Variations = settings.Variations;
            job.Seconds = settings.Seconds;
            job.Store = store;
        }
        if (job.Store is null) return;
        int n = job.Store.CountBlocks();
        if (n > job.BlocksWritten)
        {
            job.BlocksWritten = n;
            _c.Events.BlockWritten(job, n - 1);
        }
    }

    private void Complete(Dispatched d, JobLifecycle final, string? code, string? message)
    {
        if (Interlocked.Exchange(ref d.Completed, 1) == 1) return;
        var job = d.Job;
        if (final == JobLifecycle.Failed) job.Error = message;
        if (!job.TryMove(JobLifecycle.Running, final)) _log.LogWarning("Job {Job} finished as {Final} while the front had it {State}", job.Id, final.WireName(), job.State.WireName());
        _inFlight.TryRemove(job.Id, out _);
        _room.Release();
        if (final != JobLifecycle.Done) code ??= final == JobLifecycle.Cancelled ? ErrorCodes.Cancelled : ErrorCodes.Internal;
        else code = null;
        if (final == JobLifecycle.Cancelled) message ??= "cancelled; submit mode \"resume\" to finish it";
        _log.LogInformation("Job {Job} of {Client} {State} on a worker: {Blocks} blocks", job.Id, job.Client, final.WireName(), job.BlocksWritten);
        _c.Events.Finished(job, code, message);
    }

    private async Task WatchWorkers()
    {
        try
        {
            await foreach (var m in _nc!.SubscribeAsync<byte[]>(_queue.Workers, cancellationToken: _stop.Token))
            {
                var a = Wire.Decode<WorkerAnnounce>(m.Data ?? [], out _);
                if (a is null) continue;
                bool known = _workers.ContainsKey(a.Worker);
                _workers[a.Worker] = (a.Fingerprint, DateTime.UtcNow);
                if (!known)
                {
                    _log.LogInformation("Worker {Worker} serves {Model} ({Fingerprint}){Note}", a.Worker, a.Model, a.Fingerprint,
                        a.Fingerprint == _c.Fingerprint ? "" : ": another model than this front's, it takes none of these jobs");
                    _room.Release();
                }
            }
        }
        catch (OperationCanceledException) { }
    }

    /// <summary>Once a second: every dispatched job's folder (blocks, final state) and the list of live workers.</summary>
    private async Task ReconcileLoop()
    {
        while (!_stop.IsCancellationRequested)
        {
            try { await Task.Delay(1000, _stop.Token); } catch (OperationCanceledException) { return; }
            foreach (var (id, w) in _workers) if (DateTime.UtcNow - w.Seen > TimeSpan.FromSeconds(30)) _workers.TryRemove(id, out _);
            foreach (var d in _inFlight.Values)
            {
                try
                {
                    Refresh(d.Job);
                    if (JobFolder.TryStatus(d.Job.Dir) is { } s && JobLifecycleNames.FinalFromStatus(s.State) is { } final)
                    {
                        // The worker's finished event carries the error code; wait a moment for it before finishing from the folder alone.
                        d.FinalSeen ??= DateTime.UtcNow;
                        if (DateTime.UtcNow - d.FinalSeen > TimeSpan.FromSeconds(2)) Complete(d, final, null, s.Error);
                    }
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.Text.Json.JsonException or InvalidOperationException)
                {
                    _log.LogWarning("Job {Job}: its folder could not be read ({Error}); trying again", d.Job.Id, e.Message);
                }
            }
        }
    }

    public void Dispose()
    {
        _stop.Cancel();
        try { _loops.Wait(TimeSpan.FromSeconds(5)); } catch (AggregateException) { }
        _nc?.DisposeAsync().AsTask().Wait(TimeSpan.FromSeconds(5));
        _c.Bundle.Dispose();
    }
}
