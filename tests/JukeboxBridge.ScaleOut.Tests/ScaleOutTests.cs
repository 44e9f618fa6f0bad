using JukeboxBridge.Daemon.Client;
using JukeboxBridge.Protocol;
using JukeboxBridge.Protocol.Messages;
using JukeboxBridge.TestSupport;
using static JukeboxBridge.ScaleOut.Tests.ScaleOutKit;

namespace JukeboxBridge.ScaleOut.Tests;

/// <summary>
/// One front, `jukebox worker` processes and a real nats-server (JetStream on disk, user and password): jobs from
/// several clients, a worker killed with -9, NATS restarted, the front restarted, a poison job, a cancel. Every take
/// must equal the one an ordinary single daemon makes from the same request.
/// </summary>
[Collection("scale-out")]
public class ScaleOutTests
{
    private static string JobDir(string dir, string client, string job) => Path.Combine(dir, "jobs", client, job);

    [Fact]
    public void Three_workers_run_twelve_jobs_of_two_clients_and_every_take_equals_a_single_daemon_run()
    {
        using var dir = new TempDir();
        using var nats = new NatsServer(dir.Path);
        var n = Nats(nats, dir.Path);
        var o = FrontOptions(dir.Path);
        using var front = Front(o, n);
        var other = front.Keys.AddClient("studio-b", front.Server.Endpoint);
        var workers = Enumerable.Range(1, 3).Select(i => new WorkerProcess($"w{i}", n, o.JobsDir)).ToList();
        try
        {
            using var a = Connect(front.LocalClient);
            using var b = Connect(other);
            var submits = Enumerable.Range(0, 12).Select(i => Sample(i + 1, seed: 100 + i)).ToList();
            var jobs = new List<(DaemonClient, string)>();
            var owner = new List<string>();
            for (int i = 0; i < submits.Count; i++)
            {
                var c = i < 6 ? a : b;                                            // client a submits all of its jobs first
                jobs.Add((c, SubmitJob(c, submits[i])));
                owner.Add(i < 6 ? "local" : "studio-b");
            }
            var final = Drain(jobs, TimeSpan.FromMinutes(6));
            for (int i = 0; i < jobs.Count; i++)
                Assert.True(final.TryGetValue(jobs[i].Item2, out var m) && m is TakeDone, $"job {i}: {(final.TryGetValue(jobs[i].Item2, out var x) ? x : "no answer")}\n{string.Join("\n", workers.Select(w => w.Log))}");

            // Every worker worked, each job ran once, and client b's first job did not wait behind all of a's.
            Assert.All(workers, w => Assert.True(w.Said(" started (delivery"), $"{w.Name} ran nothing:\n{w.Log}"));
            int DoneLines(int i) => workers.Sum(w => w.Count($"Worker {w.Name}: job {jobs[i].Item2} of {owner[i]} done"));
            // A worker logs "done" after it wrote the folder, and the front may relay the take from the folder first.
            WaitFor(() => Enumerable.Range(0, jobs.Count).All(i => DoneLines(i) >= 1), TimeSpan.FromSeconds(15), "every worker's done line");
            for (int i = 0; i < jobs.Count; i++) Assert.Equal(1, DoneLines(i));
            var started = workers.SelectMany(w => w.Lines.Where(l => l.Contains(" started (delivery"))).Order().ToList();   // "HH:mm:ss" first
            int firstOfB = started.FindIndex(l => l.Contains("of studio-b started"));
            Assert.True(firstOfB >= 0 && firstOfB < 5, $"client b's first job was the {firstOfB + 1}th to start:\n{string.Join("\n", started)}");
            foreach (var w in workers) w.Dispose();

            var expected = SingleDaemonTakes(submits);
            for (int i = 0; i < jobs.Count; i++) SameTakes(expected[i], Takes(JobDir(dir.Path, owner[i], jobs[i].Item2)), $"job {i}");
        }
        finally { foreach (var w in workers) w.Dispose(); }
    }

    [Fact]
    public void A_job_whose_worker_is_killed_with_minus_9_finishes_on_another_worker_with_the_same_take()
    {
        using var dir = new TempDir();
        using var nats = new NatsServer(dir.Path);
        var n = Nats(nats, dir.Path);
        var o = FrontOptions(dir.Path);
        using var front = Front(o, n);
        using var w1 = new WorkerProcess("w1", n, o.JobsDir);
        using var c = Connect(front.LocalClient);
        WaitFor(() => w1.Said("serves tiny"), TimeSpan.FromSeconds(60), "the first worker", c);
        var submit = Sample(1, seed: 7, seconds: 2);
        string job = SubmitJob(c, submit);
        string folder = JobDir(dir.Path, "local", job);
        WaitFor(() => File.Exists(Path.Combine(folder, "codes.safetensors")), TimeSpan.FromSeconds(60), "the job's first saved window", c);
        Thread.Sleep(1500);
        w1.Kill9();
        Assert.False(File.Exists(Path.Combine(folder, "job.json")) && File.ReadAllText(Path.Combine(folder, "job.json")).Contains("\"done\""), "the job was done before the kill: make it longer");
        using var w2 = new WorkerProcess("w2", n, o.JobsDir);
        var final = Drain([(c, job)], TimeSpan.FromMinutes(3));
        Assert.True(final.GetValueOrDefault(job) is TakeDone, $"{final.GetValueOrDefault(job)}\n{w2.Log}");
        Assert.True(w2.Said($"job {job} of local started (delivery 2)"), w2.Log);
        WaitFor(() => w2.Count($"job {job} of local done") >= 1, TimeSpan.FromSeconds(15), "w2's done line");   // logged after the folder says done
        Assert.Equal(1, w2.Count($"job {job} of local done"));
        Assert.False(File.Exists(Path.Combine(folder, "attempts")));
        SameTakes(SingleDaemonTakes([submit])[0], Takes(folder), "the redelivered job");
    }

    [Fact]
    public void Nats_restarted_mid_run_loses_nothing_and_a_restarted_front_serves_every_take_again()
    {
        using var dir = new TempDir();
        using var nats = new NatsServer(dir.Path);
        var n = Nats(nats, dir.Path);
        int port = NatsServer.FreePort();
        var o = FrontOptions(dir.Path, port);
        var front = Front(o, n);
        using var w1 = new WorkerProcess("w1", n, o.JobsDir);
        var submits = new[] { Sample(1, seed: 11, seconds: 1.5), Sample(2, seed: 12, seconds: 1) };
        var ids = new List<string>();
        try
        {
            using (var c = Connect(front.LocalClient))
            {
                foreach (var s in submits) ids.Add(SubmitJob(c, s));
                WaitFor(() => w1.Said($"job {ids[0]} of local started"), TimeSpan.FromSeconds(60), "the first job to start", c);
                nats.Stop();                                                       // mid-run: the worker keeps sampling into the folder
                Thread.Sleep(2000);
                nats.Start();
                var final = Drain(ids.Select(j => (c, j)).ToList(), TimeSpan.FromMinutes(3));
                Assert.All(ids, j => Assert.True(final.GetValueOrDefault(j) is TakeDone, $"{j}: {final.GetValueOrDefault(j)}\n{w1.Log}"));
            }

            // The front restarts (same port, folders and NATS): a client that comes back fetches every block again.
            front.Dispose();
            front = Front(o, n);
            using var again = Connect(front.LocalClient);
            var listed = again.ListAllJobs();
            Assert.All(ids, j => Assert.Equal("done", listed.Single(x => x.Job == j).State));
            var blocks = new Dictionary<string, int>();
            foreach (var j in ids) again.Send(new Fetch(j, 0));
            foreach (var j in ids) again.Send(new Credit(j, 1000));
            var done = Drain(ids.Select(j => (again, j)).ToList(), TimeSpan.FromSeconds(60));
            Assert.All(ids, j => Assert.IsType<TakeDone>(done[j]));
            var expected = SingleDaemonTakes(submits);
            for (int i = 0; i < ids.Count; i++) SameTakes(expected[i], Takes(JobDir(dir.Path, "local", ids[i])), $"job {i}");
            Assert.Equal(1, w1.Count($"job {ids[0]} of local done"));
        }
        finally { front.Dispose(); }
    }

    [Fact]
    public void A_poison_job_stops_after_max_deliveries_crashed_workers_and_a_cancel_reaches_the_running_worker()
    {
        using var dir = new TempDir();
        using var nats = new NatsServer(dir.Path);
        var n = Nats(nats, dir.Path, maxDeliveries: 2);
        var o = FrontOptions(dir.Path);
        using var front = Front(o, n);
        using var c = Connect(front.LocalClient);
        string job = SubmitJob(c, Sample(1, seed: 5, seconds: 3));
        for (int i = 1; i <= 2; i++)                                             // two workers die under the job
        {
            using var w = new WorkerProcess($"crash{i}", n, o.JobsDir);
            WaitFor(() => w.Said($"job {job} of local started"), TimeSpan.FromSeconds(90), $"worker {i} to start the job", c);
            Thread.Sleep(500);
            w.Kill9();
        }
        // A labelled-model worker must not take this front's jobs; the next tiny worker marks the job failed without running it.
        using var otherModel = new WorkerProcess("other-model", n, o.JobsDir, model: "tiny_labelled");
        using var w3 = new WorkerProcess("w3", n, o.JobsDir);
        var final = Drain([(c, job)], TimeSpan.FromMinutes(2));
        var error = Assert.IsType<Error>(final.GetValueOrDefault(job));
        Assert.Contains("2 workers died", error.Text);
        Assert.Contains("\"failed\"", File.ReadAllText(Path.Combine(JobDir(dir.Path, "local", job), "job.json")));
        Assert.Equal("failed", c.ListAllJobs().Single(j => j.Job == job).State);

        // A cancel of a running job reaches its worker within a step.
        string longJob = SubmitJob(c, Sample(2, seed: 6, seconds: 20));
        WaitFor(() => w3.Said($"job {longJob} of local started"), TimeSpan.FromSeconds(60), "the long job to start", c);
        Thread.Sleep(1000);
        var asked = DateTime.UtcNow;
        c.Send(new Cancel(longJob));
        var cancelled = Drain([(c, longJob)], TimeSpan.FromSeconds(30));
        Assert.Equal(ErrorCodes.Cancelled, Assert.IsType<Error>(cancelled.GetValueOrDefault(longJob)).Code);
        Assert.True(DateTime.UtcNow - asked < TimeSpan.FromSeconds(10), $"the cancel took {(DateTime.UtcNow - asked).TotalSeconds:F1} s");
        Assert.True(w3.Said($"job {longJob} cancelled by its client"), w3.Log);
        Assert.False(otherModel.Said(" of local started"), otherModel.Log);
        Assert.True(otherModel.Said("serves tiny_labelled"), otherModel.Log);
    }
}
