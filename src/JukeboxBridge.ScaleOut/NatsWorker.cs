using System.Threading.Channels;
using JukeboxBridge.Daemon.Jobs;
using JukeboxBridge.Errors;
using JukeboxBridge.Protocol;
using JukeboxBridge.Sampling;
using JukeboxBridge.Sampling.Devices;
using JukeboxBridge.Sampling.Jobs;
using Microsoft.Extensions.Logging;
using NATS.Client.Core;
using NATS.Client.JetStream;

namespace JukeboxBridge.ScaleOut;

/// <summary>A worker's own settings: the shared jobs folder, the bundle it serves, its device and name.</summary>
public sealed record WorkerOptions
{
    public required string JobsDir { get; init; }
    public string? Model { get; init; }
    public DeviceOptions Device { get; init; } = new();
    public string Name { get; init; } = $"{Environment.MachineName}-{Environment.ProcessId}";
}

/// <summary>
/// `jukebox worker`: pulls jobs for its model from the JetStream work queue one at a time (explicit ack; "in progress"
/// every third of the ack wait while it works), runs each with the daemon's <see cref="JobRunner"/> in the shared job
/// folder (codes saved after every window), and says what happens on the job's events subject. A worker that dies
/// leaves the message unacknowledged: JetStream hands it to another worker after the ack wait, which resumes from the
/// last saved window. A stopped worker hands its job back at once (nak). Jobs are idempotent: a folder that says done
/// is acknowledged without running, and one whose lock another worker holds is handed back for later.
/// </summary>
public sealed class NatsWorker
{
    private readonly NatsOptions _nats;
    private readonly WorkerOptions _o;
    private readonly ILogger _log;
    private readonly JobQueue _queue;
    private volatile DaemonJob? _current;

    public NatsWorker(NatsOptions nats, WorkerOptions o, ILogger log)
    {
        _nats = nats; _o = o; _log = log; _queue = new JobQueue(nats);
        if (!Directory.Exists(o.JobsDir)) throw new UserInputException("--jobs", $"no jobs folder at {o.JobsDir} (the folder the front writes jobs to, shared with the workers)");
    }

    public async Task RunAsync(CancellationToken stop)
    {
        var opts = _nats.ToNatsOpts($"jukebox-worker {_o.Name}");
        using var bundle = ModelBundle.Load(ModelBundle.ResolveSpec(_o.Model));
        string fingerprint = BundleFingerprint.Of(bundle), model = Path.GetFileNameWithoutExtension(bundle.Source);
        using var runner = new JobRunner(bundle, _o.Device, _log, fingerprint,
            job => JobFolder.TryOpen(Path.Combine(Path.GetDirectoryName(job.Dir)!, job.Request.SourceJob ?? "-")));
        await using var nc = await JobQueue.ConnectAsync(opts, stop);
        var js = new NatsJSContext(nc);
        var consumer = await Retry(() => _queue.EnsureAsync(js, fingerprint, stop), stop);
        var events = new EventPublisher(nc, _queue, _o.Name, _log);
        var pump = events.RunAsync(stop);
        var cancels = WatchCancels(nc, stop);
        var announce = Announce(nc, model, fingerprint, stop);
        _log.LogInformation("Worker {Worker} serves {Model} ({Fingerprint}) from {Url}; jobs in {JobsDir}", _o.Name, model, fingerprint, _nats.Url, _o.JobsDir);

        while (!stop.IsCancellationRequested)
        {
            INatsJSMsg<byte[]>? msg;
            try { msg = await consumer.NextAsync<byte[]>(opts: new NatsJSNextOpts { Expires = TimeSpan.FromSeconds(5) }, cancellationToken: stop); }
            catch (OperationCanceledException) { break; }
            catch (Exception e) when (e is NatsException or NatsJSException or TimeoutException)
            {
                _log.LogWarning("Worker {Worker}: no jobs from NATS ({Error}); trying again", _o.Name, e.Message);
                await Task.Delay(1000, stop).ContinueWith(_ => { });
                try { consumer = await _queue.EnsureAsync(js, fingerprint, stop); } catch (Exception x) when (x is NatsException or NatsJSException or TimeoutException) { }
                continue;
            }
            if (msg is not { } m) continue;
            try { await Handle(m, runner, events, stop); }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                _log.LogError(e, "Worker {Worker}: internal error {ErrorId} handling a job message", _o.Name, ErrorId.New());
                await Settle(() => m.NakAsync(delay: _nats.AckWait));
            }
        }
        events.Complete();
        await Task.WhenAll(pump, cancels, announce).ContinueWith(_ => { });
    }

    private async Task Handle(INatsJSMsg<byte[]> msg, JobRunner runner, EventPublisher events, CancellationToken stop)
    {
        var ticket = Wire.Decode<JobTicket>(msg.Data ?? [], out var why);
        if (ticket is null)
        {
            _log.LogWarning("Worker {Worker}: dropped a job message: {Why}", _o.Name, why);
            await Settle(() => msg.AckTerminateAsync());
            return;
        }
        string dir = Path.Combine(_o.JobsDir, ticket.Client, ticket.Job);
        if (!File.Exists(Path.Combine(dir, "request.json")))
        {
            _log.LogWarning("Worker {Worker}: job {Job} of {Client} has no folder in {JobsDir} (deleted, or another jobs folder): dropped", _o.Name, ticket.Job, ticket.Client, _o.JobsDir);
            await Settle(() => msg.AckTerminateAsync());
            return;
        }
        using var held = JobFolder.TryLock(dir);
        if (held is null)
        {
            // Another worker runs it (a duplicate after a front restart, or an ack wait that ran out): ask again later,
            // when that run has finished (the folder then says done) or died (then this delivery resumes it).
            _log.LogInformation("Worker {Worker}: job {Job} is running on another worker; handed back", _o.Name, ticket.Job);
            await Settle(() => msg.NakAsync(delay: _nats.AckWait));
            return;
        }
        var job = JobFolder.Load(dir);
        var status = JobFolder.TryStatus(dir);
        if (status?.State == JobStatus.Done)
        {
            events.Finished(job, null, null);                                  // the front may have missed it
            await Settle(() => msg.AckAsync());
            return;
        }
        if (File.Exists(JobFolder.CancelMarker(dir)))
        {
            job.WriteFinalStatus(JobStatus.Cancelled, null);
            events.Finished(job, ErrorCodes.Cancelled, "cancelled before it started");
            await Settle(() => msg.AckAsync());
            return;
        }
        JobFolder.Tidy(dir);
        ulong delivered = msg.Metadata?.NumDelivered ?? 1;
        if (job.Attempts >= _nats.MaxDeliveries)
        {
            string error = $"{job.Attempts} workers died running this job; it is not run again (see the workers' logs)";
            job.Error = error;
            job.WriteFinalStatus(JobStatus.Failed, error);
            _log.LogWarning("Worker {Worker}: job {Job} of {Client} failed: {Error}", _o.Name, job.Id, job.Client, error);
            events.Finished(job, ErrorCodes.Internal, error);
            await Settle(() => msg.AckAsync());
            return;
        }

        _log.LogInformation("Worker {Worker}: job {Job} of {Client} started (delivery {Delivery})", _o.Name, job.Id, job.Client, delivered);
        job.MoveTo(JobLifecycle.Running);
        _current = job;
        using var working = CancellationTokenSource.CreateLinkedTokenSource(stop);
        var progress = KeepInProgress(msg, working.Token);
        try
        {
            var watched = new CancelWatch(events, job);                           // the marker too: a cancel message may be lost
            await Task.Factory.StartNew(() => runner.Run(job, watched, stop), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        }
        finally
        {
            _current = null;
            working.Cancel();
            await progress.ContinueWith(_ => { });
        }
        if (job.State == JobLifecycle.Queued)                                   // this worker is stopping: the job goes to another one now
        {
            _log.LogInformation("Worker {Worker}: stopping; job {Job} handed back at its last saved window", _o.Name, job.Id);
            await Settle(() => msg.NakAsync());
        }
        else
        {
            _log.LogInformation("Worker {Worker}: job {Job} of {Client} {State}", _o.Name, job.Id, job.Client, job.State.WireName());
            await Settle(() => msg.AckAsync());
        }
    }

    /// <summary>"Still working" every third of the ack wait, so a long job is not handed to another worker.</summary>
    private async Task KeepInProgress(INatsJSMsg<byte[]> msg, CancellationToken ct)
    {
        var every = _nats.AckWait / 3;
        while (!ct.IsCancellationRequested)
        {
            try { await Task.Delay(every, ct); } catch (OperationCanceledException) { return; }
            await Settle(() => msg.AckProgressAsync());
        }
    }

    /// <summary>An ack that fails (the server is restarting) is logged; JetStream then redelivers, and the folder makes that harmless.</summary>
    private async Task Settle(Func<ValueTask> ack)
    {
        try { await ack(); }
        catch (Exception e) when (e is NatsException or NatsJSException or TimeoutException or ObjectDisposedException)
        {
            _log.LogWarning("Worker {Worker}: could not acknowledge to NATS ({Error}); the job may be delivered again", _o.Name, e.Message);
        }
    }

    private async Task WatchCancels(NatsConnection nc, CancellationToken stop)
    {
        try
        {
            await foreach (var m in nc.SubscribeAsync<byte[]>(_queue.AllCancels, cancellationToken: stop))
            {
                string job = m.Subject[(m.Subject.LastIndexOf('.') + 1)..];
                if (_current is { } j && j.Id == job) { _log.LogInformation("Worker {Worker}: job {Job} cancelled by its client", _o.Name, job); j.Cancel.Cancel(); }
            }
        }
        catch (OperationCanceledException) { }
    }

    private async Task Announce(NatsConnection nc, string model, string fingerprint, CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            try { await nc.PublishAsync(_queue.Workers, Wire.Encode(new WorkerAnnounce(_o.Name, model, fingerprint, _current?.Id)), cancellationToken: stop); }
            catch (Exception e) when (e is NatsException or TimeoutException) { }
            catch (OperationCanceledException) { return; }
            try { await Task.Delay(TimeSpan.FromSeconds(2), stop); } catch (OperationCanceledException) { return; }
        }
    }

    private static async Task<T> Retry<T>(Func<Task<T>> f, CancellationToken stop)
    {
        while (true)
        {
            try { return await f(); }
            catch (Exception e) when (e is NatsException or NatsJSException or TimeoutException && !stop.IsCancellationRequested) { await Task.Delay(500, stop); }
        }
    }

    /// <summary>Passes events on and cancels the job when its folder gets the cancel marker (checked at most twice a second).</summary>
    private sealed class CancelWatch(IJobEvents inner, DaemonJob job) : IJobEvents
    {
        private long _checked;
        private void Check()
        {
            long now = Environment.TickCount64;
            if (now - Interlocked.Read(ref _checked) < 500) return;
            Interlocked.Exchange(ref _checked, now);
            if (File.Exists(JobFolder.CancelMarker(job.Dir))) job.Cancel.Cancel();
        }
        public void Started(DaemonJob j) => inner.Started(j);
        public void Progress(DaemonJob j, JobProgress p) { Check(); inner.Progress(j, p); }
        public void BlockWritten(DaemonJob j, int seq) { Check(); inner.BlockWritten(j, seq); }
        public void Finished(DaemonJob j, string? code, string? message) => inner.Finished(j, code, message);
    }
}

/// <summary>The worker's job events, queued by the sampling thread and published by one task (the sampler never waits on the network).</summary>
internal sealed class EventPublisher(NatsConnection nc, JobQueue queue, string worker, ILogger log) : IJobEvents
{
    private readonly Channel<(string Subject, byte[] Data)> _out = Channel.CreateUnbounded<(string, byte[])>(new UnboundedChannelOptions { SingleReader = true });

    private void Post(DaemonJob job, WorkerEvent e) => _out.Writer.TryWrite((queue.EventsSubject(job.Id), Wire.Encode(e)));

    public void Started(DaemonJob job) => Post(job, new WorkerEvent("started", job.Client, job.Id, worker));
    public void Progress(DaemonJob job, JobProgress p) => Post(job, new WorkerEvent("progress", job.Client, job.Id, worker)
    {
        Level = p.Level, WindowsDone = p.WindowsDone, WindowsTotal = p.WindowsTotal, TokensDone = p.TokensDone, TokensTotal = p.TokensTotal,
        JobTokensDone = p.JobTokensDone, JobTokensTotal = p.JobTokensTotal, ElapsedSeconds = p.ElapsedSeconds, EtaSeconds = p.EtaSeconds,
    });
    public void BlockWritten(DaemonJob job, int seq) => Post(job, new WorkerEvent("block", job.Client, job.Id, worker) { Seq = seq });
    public void Finished(DaemonJob job, string? code, string? message) => Post(job, new WorkerEvent("finished", job.Client, job.Id, worker)
    {
        State = code is null ? JobStatus.Done : code == ErrorCodes.Cancelled ? JobStatus.Cancelled : JobStatus.Failed, Code = code, Message = message,
    });

    public void Complete() => _out.Writer.TryComplete();

    public async Task RunAsync(CancellationToken stop)
    {
        try
        {
            await foreach (var (subject, data) in _out.Reader.ReadAllAsync(stop))
            {
                try { await nc.PublishAsync(subject, data, cancellationToken: stop); }
                catch (Exception e) when (e is NatsException or TimeoutException) { log.LogDebug("event on {Subject} not sent: {Error}", subject, e.Message); }
            }
        }
        catch (OperationCanceledException) { }
    }
}
