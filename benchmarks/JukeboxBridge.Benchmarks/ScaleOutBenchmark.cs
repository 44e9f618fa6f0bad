using System.Diagnostics;
using JukeboxBridge.Daemon;
using JukeboxBridge.Daemon.Client;
using JukeboxBridge.Daemon.Security;
using JukeboxBridge.Protocol;
using JukeboxBridge.Protocol.Messages;
using JukeboxBridge.ScaleOut;
using JukeboxBridge.ScaleOut.Tests;

namespace JukeboxBridge.Benchmarks;

/// <summary>
/// scale-out: jobs per hour through one front (`serve --nats`) with 1, 2 and 3 `jukebox worker` processes (one torch
/// thread each) on a real nats-server, beside one ordinary daemon running the same jobs on its local worker (one
/// thread). Each row: the same --jobs sample jobs of --seconds from one client, timed from the first submit to the
/// last take done, workers started and announced beforehand (a service's workers are warm).
/// Options: --model tiny --jobs 6 --seconds 1 --workers 1,2,3
/// speedup is against 1 worker; efficiency = speedup / workers. On a machine with C cores, rows past C workers share
/// cores and can only show the front's and NATS's overhead, not scaling.
/// </summary>
public sealed class ScaleOutBenchmark : IBenchmark
{
    public string Name => "scale-out";
    public string Description => "jobs/hour with 1, 2, 3 NATS workers (one thread each) vs one local daemon";

    public IReadOnlyList<Measurement> Run(string[] options)
    {
        string model = BenchmarkOptions.Get(options, "--model", "tiny");
        int jobs = int.Parse(BenchmarkOptions.Get(options, "--jobs", "6"));
        double seconds = double.Parse(BenchmarkOptions.Get(options, "--seconds", "1"), System.Globalization.CultureInfo.InvariantCulture);
        var counts = BenchmarkOptions.Get(options, "--workers", "1,2,3").Split(',').Select(int.Parse).ToList();
        var submits = Enumerable.Range(0, jobs)
            .Select(i => new Submit(i + 1, "sample", new SubmitSettings { Seconds = seconds, Variations = 1, Seed = 100 + i })).ToList();
        var rows = new List<(string Setup, int Workers, double Seconds)>();

        TorchSharp.torch.set_num_threads(1);                                      // the local daemon: one thread, as each worker
        Console.Error.WriteLine($"scale-out: {jobs} jobs of {seconds} s on one local daemon ...");
        using (var dir = new Scratch())
        {
            using var d = new JukeboxDaemon(FrontOptions(dir.Path, model) with { MaxQueuedJobsPerClient = jobs + 1 });
            d.Start();
            Warm(d.LocalClient, model);
            rows.Add(("local daemon", 1, TimeJobs(d.LocalClient, submits)));
        }
        foreach (int n in counts)
        {
            Console.Error.WriteLine($"scale-out: {jobs} jobs of {seconds} s on {n} NATS worker(s) ...");
            using var dir = new Scratch();
            using var nats = new NatsServer(dir.Path);
            var no = new NatsOptions { Url = nats.Url, CredentialsFile = nats.WriteCredentials(dir.Path), AckWait = TimeSpan.FromSeconds(30) };
            var o = FrontOptions(dir.Path, model) with { MaxQueuedJobsPerClient = jobs + 1 };
            using var front = new JukeboxDaemon(o, executor: new NatsExecutorFactory(no));
            front.Start();
            var workers = Enumerable.Range(1, n).Select(i => new WorkerProcess($"w{i}", no, o.JobsDir, model)).ToList();
            try
            {
                var deadline = DateTime.UtcNow.AddMinutes(2);
                while (!workers.All(w => w.Said(" serves ")) && DateTime.UtcNow < deadline) Thread.Sleep(200);
                if (!workers.All(w => w.Said(" serves "))) throw new InvalidOperationException("workers did not start:\n" + string.Join("\n", workers.Select(w => w.Log)));
                Thread.Sleep(3000);                                               // two heartbeats: the front counts every worker
                Warm(front.LocalClient, model, n);
                rows.Add(("nats workers", n, TimeJobs(front.LocalClient, submits)));
            }
            finally { foreach (var w in workers) w.Dispose(); }
        }

        double one = rows.FirstOrDefault(r => r.Setup == "nats workers" && r.Workers == 1).Seconds;
        return rows.Select(r =>
        {
            double perHour = jobs / r.Seconds * 3600, speedup = one > 0 ? one / r.Seconds : double.NaN;
            return new Measurement(new Dictionary<string, object>
            {
                ["setup"] = r.Setup, ["workers"] = r.Workers, ["jobs"] = jobs, ["job_audio_s"] = seconds, ["wall_s"] = Math.Round(r.Seconds, 2),
                ["jobs_per_hour"] = Math.Round(perHour, 1), ["speedup"] = Math.Round(speedup, 2),
                ["efficiency"] = Math.Round(speedup / r.Workers, 2), ["cores"] = Environment.ProcessorCount,
            });
        }).ToList();
    }

    private static DaemonOptions FrontOptions(string dir, string model) => new()
    {
        Endpoint = "tcp://127.0.0.1:*", Model = model, JobsDir = Path.Combine(dir, "jobs"),
        KeysDir = Path.Combine(dir, "keys"), StylesDir = Path.Combine(dir, "styles"),
    };

    /// <summary>One short job per worker first (JIT, libtorch kernels): a service's workers are warm.</summary>
    private static void Warm(ClientFile client, string model, int n = 1) =>
        TimeJobs(client, Enumerable.Range(0, n).Select(i => new Submit(1000 + i, "sample", new SubmitSettings { Seconds = 0.2, Seed = 7 })).ToList());

    /// <summary>Submits every job at once and waits for the last take; seconds from the first submit.</summary>
    private static double TimeJobs(ClientFile file, IReadOnlyList<Submit> submits)
    {
        using var c = new DaemonClient(file, curve: false);
        c.Handshake();
        var sw = Stopwatch.StartNew();
        var pending = new HashSet<string>();
        foreach (var s in submits)
        {
            c.Send(s);
            string job = c.Expect<Accepted>().Job;
            c.Send(new Credit(job, 64));
            pending.Add(job);
        }
        for (var deadline = DateTime.UtcNow.AddMinutes(30); pending.Count > 0;)
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"{pending.Count} job(s) not done after 30 minutes");
            switch (c.Receive(TimeSpan.FromMilliseconds(200)))
            {
                case Block b: c.Send(new Credit(b.Job, 1)); break;
                case TakeDone d: pending.Remove(d.Job); break;
                case Error { Job: string j } e: throw new InvalidOperationException($"job {j} failed: {e.Text}");
            }
        }
        return sw.Elapsed.TotalSeconds;
    }

    private sealed class Scratch : IDisposable
    {
        public string Path { get; } = Directory.CreateTempSubdirectory("jb-scale-out-").FullName;
        public void Dispose() { try { Directory.Delete(Path, true); } catch (IOException) { } }
    }
}
