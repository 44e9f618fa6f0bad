using JukeboxBridge.Daemon.Client;
using JukeboxBridge.Protocol;
using JukeboxBridge.Protocol.Messages;
using JukeboxBridge.TestSupport;
using static JukeboxBridge.Daemon.Tests.DaemonTestKit;

namespace JukeboxBridge.Daemon.Tests;

/// <summary>Jobs across cancels and restarts: resume within one run, queue accounting, folders a crash left behind, a changed model.</summary>
[Collection("daemon")]
public class JobLifecycleTests
{
    private static Submit Continue(long request, double seconds) =>
        new(request, "continue", new SubmitSettings { Seconds = seconds, Variations = 1, Seed = 3 }, Prompt: new PcmFormat(44100, 1, 22050), PromptPcm: new byte[22050 * 4]);

    /// <summary>Waits for progress past the first top-level window (codes on disk), then returns.</summary>
    private static void UntilCodes(DaemonClient c)
    {
        for (var t = DateTime.UtcNow.AddSeconds(120); DateTime.UtcNow < t && c.Receive(TimeSpan.FromMilliseconds(200)) is not Progress { WindowsDone: > 1 };) { }
    }

    private static List<Message> Drain(DaemonClient c, string job, TimeSpan timeout)
    {
        var got = new List<Message>();
        for (var t = DateTime.UtcNow + timeout; DateTime.UtcNow < t;)
        {
            if (c.Receive(TimeSpan.FromSeconds(1)) is not { } m) continue;
            got.Add(m);
            if (m is Block) c.Send(new Credit(job, 1));
            if (m is TakeDone or Error) break;
        }
        return got;
    }

    private static Error JobError(DaemonClient c, string job)
    {
        for (var t = DateTime.UtcNow.AddSeconds(60); DateTime.UtcNow < t;)
            if (c.Receive(TimeSpan.FromSeconds(1)) is Error e && e.Job == job) return e;
        throw new TimeoutException($"no error for job {job}");
    }

    private static string JobDir(TempDir dir, string job) => Path.Combine(dir.Path, "jobs", "local", job);

    [Fact]
    public void A_cancelled_job_resumes_in_the_same_daemon_run_and_cancelled_queued_jobs_free_the_queue()
    {
        using var dir = new TempDir();
        using var d = new JukeboxDaemon(Options(dir) with { MaxQueuedJobsPerClient = 2 });
        d.Start();
        using var c = Connect(d);
        c.Send(Continue(1, 3));
        string job = c.Expect<Accepted>().Job;
        UntilCodes(c);
        c.Send(new Cancel(job));
        var cancelled = Drain(c, job, TimeSpan.FromSeconds(60));
        Assert.Equal(ErrorCodes.Cancelled, Assert.IsType<Error>(cancelled[^1]).Code);

        // One job runs, two wait (the limit); a third is refused until a waiting one is cancelled.
        c.Send(new Submit(2, "sample", new SubmitSettings { Seconds = 20 }));
        string running = c.Expect<Accepted>().Job;
        for (var t = DateTime.UtcNow.AddSeconds(60); DateTime.UtcNow < t && c.ListAllJobs().Single(j => j.Job == running).State != "running";) Thread.Sleep(100);
        c.Send(new Submit(3, "sample", new SubmitSettings { Seconds = 20 }));
        string waiting = c.Expect<Accepted>().Job;
        c.Send(new Submit(31, "sample", new SubmitSettings { Seconds = 20 }));
        string alsoWaiting = c.Expect<Accepted>().Job;
        c.Send(new Submit(4, "sample", new SubmitSettings { Seconds = 20 }));
        Assert.Equal(ErrorCodes.QueueFull, Assert.Throws<ProtocolException>(() => c.Expect<Accepted>()).Code);
        c.Send(new Cancel(waiting));
        Assert.Equal(ErrorCodes.Cancelled, JobError(c, waiting).Code);
        c.Send(new Submit(6, "sample", new SubmitSettings { Seconds = 20 }));
        string third = c.Expect<Accepted>().Job;                              // the cancelled one no longer holds the queue
        c.Send(new Cancel(third));
        Assert.Equal(ErrorCodes.Cancelled, JobError(c, third).Code);
        c.Send(new Cancel(running));
        Assert.Equal(ErrorCodes.Cancelled, JobError(c, running).Code);
        c.Send(new Cancel(alsoWaiting));                                     // else the resume below waits behind its 20 s
        Assert.Equal(ErrorCodes.Cancelled, JobError(c, alsoWaiting).Code);

        // Resume: a fresh cancellation token, and the job finishes.
        c.Send(new Submit(5, "resume", new SubmitSettings(), Job: job));
        Assert.Equal(job, c.Expect<Accepted>().Job);
        c.Send(new Credit(job, 1));
        var rest = Drain(c, job, TimeSpan.FromSeconds(240));
        Assert.IsType<TakeDone>(rest[^1]);
        Assert.True(File.Exists(Path.Combine(JobDir(dir, job), "take-1.wav")));
    }

    [Fact]
    public void Folders_a_crash_left_behind_restart_resume_or_fail_as_they_should()
    {
        using var dir = new TempDir();
        string early, poison;
        using (var d = new JukeboxDaemon(Options(dir) with { MaxQueuedJobsPerClient = 4 }))
        {
            d.Start();
            using var c = Connect(d);
            c.Send(Continue(1, 2));
            early = c.Expect<Accepted>().Job;
            UntilCodes(c);
            c.Send(Continue(2, 2));
            poison = c.Expect<Accepted>().Job;
        }
        // early: as if killed between settings.json and its first codes (no codes, no blocks, no takes).
        foreach (var f in Directory.GetFiles(JobDir(dir, early), "*", SearchOption.AllDirectories).Where(f => !f.EndsWith("request.json") && !f.EndsWith("settings.json") && !f.EndsWith("prompt.wav")))
            File.Delete(f);
        File.WriteAllText(Path.Combine(JobDir(dir, early), ".codes.safetensors.1234abcd.tmp"), "half a file");
        // poison: the daemon died under it three times already.
        File.WriteAllText(Path.Combine(JobDir(dir, poison), "attempts"), "3");

        using var again = new JukeboxDaemon(Options(dir));
        Assert.False(File.Exists(Path.Combine(JobDir(dir, early), ".codes.safetensors.1234abcd.tmp")));   // orphan temp files cleaned at start
        again.Start();
        using var c2 = Connect(again);
        var jobs = c2.ListAllJobs();
        Assert.Equal("failed", jobs.Single(j => j.Job == poison).State);
        Assert.Contains("stopped 3 times", File.ReadAllText(Path.Combine(JobDir(dir, poison), "job.json")));
        c2.Send(new Fetch(early, 0));
        c2.Send(new Credit(early, 1));
        Assert.IsType<TakeDone>(Drain(c2, early, TimeSpan.FromSeconds(240))[^1]);
    }

    [Fact]
    public void A_job_is_not_resumed_under_another_model()
    {
        using var dir = new TempDir();
        string job;
        using (var d = new JukeboxDaemon(Options(dir)))
        {
            d.Start();
            using var c = Connect(d);
            c.Send(Continue(1, 3));
            job = c.Expect<Accepted>().Job;
            UntilCodes(c);
        }
        Assert.Contains("model_fingerprint", File.ReadAllText(Path.Combine(JobDir(dir, job), "request.json")));
        using var other = new JukeboxDaemon(Options(dir) with { Model = null });     // the default model now
        other.Start();
        using var c2 = Connect(other);
        string state = "";
        for (var t = DateTime.UtcNow.AddSeconds(60); DateTime.UtcNow < t && (state = c2.ListAllJobs().Single(j => j.Job == job).State) != "failed";) Thread.Sleep(200);
        Assert.Equal("failed", state);
        Assert.Contains("started with another model", File.ReadAllText(Path.Combine(JobDir(dir, job), "job.json")));
    }
}
